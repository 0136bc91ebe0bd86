"""Units and categories: the ids the other endpoints take."""

from drf_spectacular.utils import extend_schema

from shishi.categories.models import Category
from shishi.org.models import Unit

from ..base import DetailView, ListView, responses
from ..filters import CategoryFilter, UnitFilter
from ..serializers import CategoryOutput, UnitOutput


@extend_schema(tags=["units"], responses=responses({200: UnitOutput(many=True)}, bad_input=True))
class UnitList(ListView):
    """The district's units (单位): lead units for claims, communities for appeals."""

    serializer_class = UnitOutput
    filterset_class = UnitFilter
    ordering_fields = ["name", "kind", "id"]
    ordering = ["kind", "name", "id"]

    def get_queryset(self):
        return Unit.objects.all()


@extend_schema(tags=["units"], responses=responses({200: UnitOutput}))
class UnitDetail(DetailView):
    serializer_class = UnitOutput
    queryset = Unit.objects.all()


@extend_schema(
    tags=["categories"], responses=responses({200: CategoryOutput(many=True)}, bad_input=True)
)
class CategoryList(ListView):
    """The category tree, flat: each category names its parent's id."""

    serializer_class = CategoryOutput
    filterset_class = CategoryFilter
    ordering_fields = ["name", "sort_order", "id"]
    ordering = ["sort_order", "name", "id"]

    def get_queryset(self):
        return Category.objects.all()


@extend_schema(tags=["categories"], responses=responses({200: CategoryOutput}))
class CategoryDetail(DetailView):
    serializer_class = CategoryOutput
    queryset = Category.objects.all()
