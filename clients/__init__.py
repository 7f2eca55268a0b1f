"""Reference clients of the racefeed wire protocol."""

__all__: list[str] = []
