"""Console URLs of the exchange app; the root URLconf includes them under /integrations/:
path("integrations/", include("monopilot.exchange.urls")),
"""

from __future__ import annotations

from django.urls import path

from monopilot.exchange import views

urlpatterns = [
    path("export", views.export_page, name="exchange-export"),
    path("export/jobs", views.export_jobs_partial, name="exchange-export-jobs"),
    path(
        "export/jobs/<uuid:job_id>/download", views.export_download, name="exchange-export-download"
    ),
    path("export/schemas/<str:entity>.xsd", views.export_schema, name="exchange-export-schema"),
    path("import", views.import_index, name="exchange-import"),
    path("import/history", views.import_history, name="exchange-import-history"),
    path(
        "import/templates/<str:entity>.<str:fmt>",
        views.import_template,
        name="exchange-import-template",
    ),
    path("import/jobs/<uuid:job_id>", views.import_job, name="exchange-import-job"),
    path(
        "import/jobs/<uuid:job_id>/status", views.import_job_status, name="exchange-import-status"
    ),
    path(
        "import/jobs/<uuid:job_id>/errors.csv", views.import_errors, name="exchange-import-errors"
    ),
    path("import/<str:entity>", views.import_upload_page, name="exchange-import-upload"),
]
