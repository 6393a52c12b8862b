from tests.awarding.conftest import ready  # noqa: F401 - fixture
