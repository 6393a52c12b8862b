import factory

from frameworks.models import CompetencyFramework, FrameworkItem


class FrameworkFactory(factory.django.DjangoModelFactory):
    """A framework of the platform by default; give an institution for one of its own."""

    class Meta:
        model = CompetencyFramework

    name_en = factory.Sequence(lambda n: f"Framework {n}")
    name_nl = factory.Sequence(lambda n: f"Raamwerk {n}")
    version = "1.0"
    publisher = "A publisher"
    url = "https://framework.example/"


class FrameworkItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FrameworkItem

    framework = factory.SubFactory(FrameworkFactory)
    code = factory.Sequence(lambda n: f"C{n}")
    name_en = factory.Sequence(lambda n: f"Competency {n}")
    name_nl = factory.Sequence(lambda n: f"Competentie {n}")
    description_en = "What it means."
