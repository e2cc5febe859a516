"""URL converters of the project."""


class IdConverter:
    """A database id: digits that fit PostgreSQL's bigint (at most 18 of them).

    Django's `int` takes any number of digits, and a 40-digit id reached the database,
    which refused it with an error (a 500); longer ids simply do not match (a 404).
    """

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
