"""How the REST API's views describe themselves in the OpenAPI schema."""

from drf_spectacular.openapi import AutoSchema


class ApiSchema(AutoSchema):
    def get_serializer_name(self, serializer, direction):
        # Each write view nests its own `InputSerializer` (the HackSoft style):
        # name the component after the view, so the names do not collide.
        if type(serializer).__name__ == "InputSerializer":
            return f"{type(self.view).__name__}Input"
        return super().get_serializer_name(serializer, direction)
