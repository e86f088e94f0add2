from celery import shared_task


@shared_task(name="shop.tasks.ping")
def ping():
    """A cheap task beat sends hourly: proof that beat, the broker and the default queue work."""
    return "pong"


@shared_task(name="shop.tasks.monthly_report")
def monthly_report(month):
    """Runs on the reports queue (worker-reports): idempotent, since acks_late may run it twice."""
    return f"report {month}"
