from tests.awarding.conftest import admin, awarder, ready  # noqa: F401 - fixtures
