"""Factories for competency frameworks, areas, competencies and crosswalks."""

from __future__ import annotations

import factory

from imh_competencies.models import Area, Competency, Crosswalk, Framework


class FrameworkFactory(factory.django.DjangoModelFactory):
    """A framework with three levels ("Level 1".."Level 3")."""

    class Meta:
        model = Framework

    name = factory.Sequence(lambda n: f"Test competency framework {n}")
    version = "1.0"
    slug = factory.Sequence(lambda n: f"test-framework-{n}")
    publisher = "Test publisher"
    description = "A framework for tests."
    levels = factory.LazyFunction(lambda: ["Level 1", "Level 2", "Level 3"])
    taxonomies = factory.LazyFunction(lambda: ["area", "competency"])


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    framework = factory.SubFactory(FrameworkFactory)
    code = factory.Sequence(lambda n: f"A{n}")
    name = factory.Sequence(lambda n: f"Area {n}")
    description = ""
    sort_order = factory.Sequence(lambda n: n)


class CompetencyFactory(factory.django.DjangoModelFactory):
    """A competency with a descriptor for each of its framework's levels."""

    class Meta:
        model = Competency

    area = factory.SubFactory(AreaFactory)
    framework = factory.SelfAttribute("area.framework")
    parent = None
    code = factory.Sequence(lambda n: f"C{n}")
    short_name = factory.Sequence(lambda n: f"Competency {n}")
    statement = "Does what the competency describes."
    descriptors = factory.LazyAttribute(
        lambda o: {
            str(level): f"Descriptor at level {level}."
            for level in range(1, len(o.area.framework.levels) + 1)
        }
    )
    sort_order = factory.Sequence(lambda n: n)


class CrosswalkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Crosswalk

    competency = factory.SubFactory(CompetencyFactory)
    related = factory.SubFactory(CompetencyFactory)
    note = ""
