from django.db import models


class Sequence(models.Model):
    """A named counter for human-readable numbers (SS-2021-0001). Incremented
    with a single UPDATE so concurrent writers never hand out the same value."""

    name = models.CharField(max_length=50, primary_key=True)
    last = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.last}"
