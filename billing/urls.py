from __future__ import annotations

from django.urls import path

from billing.views import booking, client, staff, stripe

app_name = "billing"
urlpatterns = [
    path("portal/invoices/", client.invoice_list, name="portal-invoices"),
    path("portal/invoices/<uuid:invoice_id>/", client.invoice_detail, name="portal-invoice"),
    path("portal/invoices/<uuid:invoice_id>/pdf/", client.invoice_pdf, name="portal-invoice-pdf"),
    path("portal/invoices/<uuid:invoice_id>/pay/", client.invoice_pay, name="portal-invoice-pay"),
    path(
        "portal/invoices/<uuid:invoice_id>/paid/",
        client.payment_return,
        name="portal-payment-return",
    ),
    path("billing/booking/<str:token>/pay/", booking.booking_pay, name="booking-pay"),
    path("billing/booking/<str:token>/paid/", booking.booking_paid, name="booking-paid"),
    path("billing/fee/<str:token>/", booking.fee_pay, name="fee-pay"),
    path("billing/fee/<str:token>/paid/", booking.fee_paid, name="fee-paid"),
    path("billing/stripe/webhook/", stripe.stripe_webhook, name="stripe-webhook"),
    path("billing/demo-checkout/<str:session_id>/", stripe.demo_checkout, name="demo-checkout"),
    path(
        "staff/billing/payments/<uuid:payment_id>/refund/",
        staff.payment_refund,
        name="staff-payment-refund",
    ),
    path("portal/receipts/<uuid:payment_id>/pdf/", client.receipt_pdf, name="portal-receipt-pdf"),
    path("staff/billing/refunds/", staff.refund_list, name="staff-refunds"),
    path(
        "staff/billing/refunds/<uuid:refund_id>/<slug:action>/",
        staff.refund_action,
        name="staff-refund-action",
    ),
    path("staff/billing/", staff.invoice_list, name="staff-invoices"),
    path("staff/billing/invoices/new/", staff.invoice_new, name="staff-invoice-new"),
    path("staff/billing/invoices/<uuid:invoice_id>/", staff.invoice_detail, name="staff-invoice"),
    path(
        "staff/billing/invoices/<uuid:invoice_id>/edit/",
        staff.invoice_edit,
        name="staff-invoice-edit",
    ),
    path(
        "staff/billing/invoices/<uuid:invoice_id>/pdf/",
        staff.invoice_pdf,
        name="staff-invoice-pdf",
    ),
    path(
        "staff/billing/invoices/<uuid:invoice_id>/<slug:action>/",
        staff.invoice_action,
        name="staff-invoice-action",
    ),
    path(
        "staff/billing/appointments/<uuid:appointment_id>/invoice/",
        staff.invoice_from_appointment,
        name="staff-invoice-from-appointment",
    ),
    path("staff/billing/payments/new/", staff.payment_new, name="staff-payment-new"),
    path(
        "staff/billing/receipts/<uuid:payment_id>/pdf/",
        staff.receipt_pdf,
        name="staff-receipt-pdf",
    ),
    path(
        "staff/billing/contacts/<uuid:contact_id>/",
        staff.contact_billing,
        name="staff-contact-billing",
    ),
    path("staff/billing/requests/new/", staff.payment_request_new, name="staff-request-new"),
    path(
        "staff/billing/fees/<uuid:fee_id>/terms/",
        staff.request_terms,
        name="staff-fee-terms",
    ),
    path(
        "staff/billing/fees/<uuid:fee_id>/waive/",
        staff.fee_waive,
        name="staff-fee-waive",
    ),
    path("staff/billing/settings/", staff.billing_settings, name="staff-settings"),
]
