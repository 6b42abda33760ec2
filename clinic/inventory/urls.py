from django.urls import path

from clinic.inventory import views

app_name = "inventory"

urlpatterns = [
    path("", views.stock, name="stock"),
    path("receive/", views.receive, name="receive"),
    path("receipts/<uuid:public_id>/labels/", views.receipt_labels, name="receipt_labels"),
    path("containers/<uuid:public_id>/", views.container_detail, name="container"),
    path("containers/<uuid:public_id>/label/", views.container_label, name="container_label"),
    path("containers/<uuid:public_id>/return/", views.return_stock, name="return"),
    path("entries/<uuid:public_id>/reverse/", views.reverse_entry, name="reverse"),
    path("safes/<uuid:public_id>/count/", views.count, name="count"),
    path("safes/<uuid:public_id>/destroy/", views.destroy, name="destroy"),
    path("destructions/<uuid:public_id>/", views.destruction_detail, name="destruction"),
    path("discrepancies/", views.discrepancies, name="discrepancies"),
    path("discrepancies/<uuid:public_id>/", views.discrepancy_detail, name="discrepancy"),
    path("sessions/<uuid:session_public_id>/", views.session_report, name="session"),
    path("sessions/<uuid:session_public_id>/pdf/", views.session_pdf, name="session_pdf"),
    path("sessions/<uuid:session_public_id>/waste/", views.session_waste, name="session_waste"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/pdf/", views.ledger_pdf, name="ledger_pdf"),
    path("as-of/", views.inventory, name="inventory"),
    path("as-of/pdf/", views.inventory_pdf, name="inventory_pdf"),
]
