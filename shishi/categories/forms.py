from django import forms


class CategoryChoiceField(forms.ModelChoiceField):
    """A category shown with its path in the tree (城乡建设 / 道路交通)."""

    def label_from_instance(self, obj) -> str:
        return obj.path
