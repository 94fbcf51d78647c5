"""Seed the real IUMS faculties and the eleven offices of the clearance chain."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parents[2] / "clearance" / "data"

OFFICES = [
    # code, Persian name, English name, scope, records debt
    ("education", "کارشناسان آموزش دانشکده", "Faculty education office", "faculty", False),
    ("student_affairs", "امور دانشجویی دانشکده", "Faculty student affairs", "faculty", False),
    ("cultural_deputy", "معاون فرهنگی دانشکده", "Faculty cultural deputy", "faculty", False),
    ("secretariat", "دبیرخانه دانشکده", "Faculty secretariat", "faculty", False),
    ("council", "شورای انضباطی", "Disciplinary council", "university", False),
    ("nutrition", "اداره تغذیه", "Nutrition office", "university", True),
    ("dormitory", "اداره خوابگاه", "Dormitory office", "university", True),
    ("it", "اداره فناوری اطلاعات", "IT office", "university", False),
    ("loan_fund", "صندوق قرض‌الحسنه", "Loan fund", "university", True),
    ("welfare", "اداره رفاه", "Welfare office", "university", True),
    ("faculty_closure", "آموزش دانشکده (اعلام و بستن)", "Faculty closure", "faculty", False),
]


def seed(apps, schema_editor):
    Faculty = apps.get_model("accounts", "Faculty")
    Office = apps.get_model("accounts", "Office")
    for row in json.loads((DATA / "faculties.json").read_text(encoding="utf-8")):
        Faculty.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "name_en": row.get("name_en", ""),
                      "letter_prefix": row.get("letter_prefix", "")},
        )
    for order, (code, name, name_en, scope, records_debt) in enumerate(OFFICES, start=1):
        Office.objects.update_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "order": order, "scope": scope,
                      "records_debt": records_debt},
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
