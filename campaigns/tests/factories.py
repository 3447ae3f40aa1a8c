import factory

from campaigns.models import Campaign, Creative, Placement, Source, Strategy
from clients.tests.factories import ClientFactory


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    client = factory.SubFactory(ClientFactory)
    source = Source.SURFSIDE
    name = factory.Sequence(lambda n: f"Campaign {n}")


class StrategyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Strategy

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"Strategy {n}")


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Placement

    strategy = factory.SubFactory(StrategyFactory)
    name = factory.Sequence(lambda n: f"Placement {n}")


class CreativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Creative

    placement = factory.SubFactory(PlacementFactory)
    name = factory.Sequence(lambda n: f"Creative {n}")
    size = "300x250"
