"""Seed reference data: request types, degrees, statuses, places of issue, fields of study."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parents[1] / "data"

REFERENCE = {
    "RequestType": [
        ("graduation", "تسویه حساب دانش‌آموختگی", "Graduation clearance"),
        ("withdrawal", "انصراف از تحصیل", "Withdrawal"),
        ("transfer", "انتقال", "Transfer"),
    ],
    "DegreeLevel": [
        ("associate", "کاردانی", "Associate"),
        ("bachelor", "کارشناسی", "Bachelor"),
        ("master", "کارشناسی ارشد", "Master"),
        ("professional_doctorate", "دکترای حرفه‌ای", "Professional doctorate"),
        ("phd", "دکترای تخصصی", "PhD"),
        ("residency", "دستیاری تخصصی", "Residency"),
    ],
    "EducationStatus": [
        ("graduated", "دانش‌آموخته", "Graduated"),
        ("withdrawn", "انصراف", "Withdrawn"),
        ("transferred", "انتقالی", "Transferred"),
        ("expelled", "اخراج", "Expelled"),
        ("studying", "در حال تحصیل", "Still studying"),
    ],
    "MaritalStatus": [
        ("single", "مجرد", "Single"),
        ("married", "متاهل", "Married"),
    ],
    "Gender": [
        ("female", "زن", "Female"),
        ("male", "مرد", "Male"),
    ],
}


def seed(apps, schema_editor):
    for model_name, rows in REFERENCE.items():
        model = apps.get_model("clearance", model_name)
        for order, (code, name, name_en) in enumerate(rows, start=1):
            model.objects.update_or_create(
                code=code, defaults={"name": name, "name_en": name_en, "order": order}
            )
    Province = apps.get_model("clearance", "Province")
    City = apps.get_model("clearance", "City")
    for row in json.loads((DATA / "places.json").read_text(encoding="utf-8")):
        province, _ = Province.objects.update_or_create(
            name=row["province"], defaults={"name_en": row.get("province_en", "")}
        )
        City.objects.bulk_create(
            [City(province=province, name=c["name"], name_en=c.get("name_en", ""))
             for c in row["cities"]],
            ignore_conflicts=True,
        )
    Faculty = apps.get_model("accounts", "Faculty")
    DegreeLevel = apps.get_model("clearance", "DegreeLevel")
    FieldOfStudy = apps.get_model("clearance", "FieldOfStudy")
    faculties = {f.code: f for f in Faculty.objects.all()}
    degrees = {d.code: d for d in DegreeLevel.objects.all()}
    FieldOfStudy.objects.bulk_create(
        [
            FieldOfStudy(faculty=faculties[row["faculty"]], degree=degrees[row["degree"]],
                         name=row["name"], name_en=row.get("name_en", ""))
            for row in json.loads((DATA / "fields.json").read_text(encoding="utf-8"))
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("clearance", "0001_initial"),
        ("accounts", "0002_seed_faculties_offices"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
