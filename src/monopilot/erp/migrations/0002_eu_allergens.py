"""Seed the 14 allergens of Regulation (EU) 1169/2011, Annex II (global rows)."""

import uuid

from django.db import migrations

EU_ALLERGENS = [
    (
        "A01",
        "Cereals containing gluten",
        "Zboża zawierające gluten",
        "Glutenhaltiges Getreide",
        "Céréales contenant du gluten",
    ),
    ("A02", "Crustaceans", "Skorupiaki", "Krebstiere", "Crustacés"),
    ("A03", "Eggs", "Jaja", "Eier", "Œufs"),
    ("A04", "Fish", "Ryby", "Fisch", "Poissons"),
    ("A05", "Peanuts", "Orzeszki ziemne (arachidowe)", "Erdnüsse", "Arachides"),
    ("A06", "Soybeans", "Soja", "Soja", "Soja"),
    ("A07", "Milk", "Mleko", "Milch", "Lait"),
    ("A08", "Nuts", "Orzechy", "Schalenfrüchte", "Fruits à coque"),
    ("A09", "Celery", "Seler", "Sellerie", "Céleri"),
    ("A10", "Mustard", "Gorczyca", "Senf", "Moutarde"),
    ("A11", "Sesame seeds", "Nasiona sezamu", "Sesamsamen", "Graines de sésame"),
    (
        "A12",
        "Sulphur dioxide and sulphites",
        "Dwutlenek siarki i siarczyny",
        "Schwefeldioxid und Sulphite",
        "Anhydride sulfureux et sulfites",
    ),
    ("A13", "Lupin", "Łubin", "Lupinen", "Lupin"),
    ("A14", "Molluscs", "Mięczaki", "Weichtiere", "Mollusques"),
]


def seed(apps, schema_editor):
    Allergen = apps.get_model("erp", "Allergen")
    for code, en, pl, de, fr in EU_ALLERGENS:
        if not Allergen.objects.filter(code=code).exists():
            Allergen.objects.create(
                id=uuid.uuid5(uuid.NAMESPACE_URL, f"allergen:{code}"),
                code=code,
                name_en=en,
                name_pl=pl,
                name_de=de,
                name_fr=fr,
                is_eu_mandatory=True,
                is_custom=False,
            )


def unseed(apps, schema_editor):
    apps.get_model("erp", "Allergen").objects.filter(code__in=[a[0] for a in EU_ALLERGENS]).delete()


class Migration(migrations.Migration):
    dependencies = [("erp", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
