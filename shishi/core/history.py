"""django-simple-history's manager, made once.

`instance.history` (which every save with history reads) builds a new manager
class with `Manager.from_queryset`, inspecting every queryset method, on each
access: a tenth of the time it takes to receive an appeal. The class depends
only on the manager and queryset classes, so it is built once per pair."""

from simple_history.manager import HistoryManager as BaseHistoryManager


class HistoryManager(BaseHistoryManager):
    _built: dict = {}

    @classmethod
    def from_queryset(cls, queryset_class, class_name=None):
        key = (cls, queryset_class, class_name)
        built = HistoryManager._built.get(key)
        if built is None:
            built = HistoryManager._built[key] = super().from_queryset(queryset_class, class_name)
        return built
