from django.db import migrations

# Neutral labels on purpose: they are read aloud in court and shown on every page.
SCHEMES = {
    "vics": (
        "Project VIC (VICS)",
        [
            ("0", "Non-pertinent", False),
            ("1", "Child abuse material", True),
            ("2", "Child exploitive (age-difficult or non-CSAM)", True),
            ("3", "CGI / animation", True),
            ("4", "Comparison (reference) images", False),
        ],
    ),
    "caid": (
        "UK CAID",
        [
            ("A", "Category A (most severe)", True),
            ("B", "Category B", True),
            ("C", "Category C", True),
        ],
    ),
}


def seed(apps, schema_editor):
    CategoryScheme = apps.get_model("hashing", "CategoryScheme")
    CategoryValue = apps.get_model("hashing", "CategoryValue")
    for code, (name, values) in SCHEMES.items():
        scheme, _ = CategoryScheme.objects.get_or_create(code=code, defaults={"name": name})
        for value, label, is_alert in values:
            CategoryValue.objects.get_or_create(
                scheme=scheme, code=value, defaults={"label": label, "is_alert": is_alert}
            )


class Migration(migrations.Migration):
    dependencies = [("hashing", "0002_lists_formats_versions_schemes")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
