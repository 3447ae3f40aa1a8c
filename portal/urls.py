from django.urls import path

from portal.views import dashboard, hierarchy, pacing, schedules, summaries, uploads
from reports.models import PeriodType

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("dashboard/", dashboard.DashboardView.as_view(), name="dashboard"),
    path("campaigns/<int:pk>/", hierarchy.CampaignPageView.as_view(), name="campaign"),
    path("strategies/<int:pk>/", hierarchy.StrategyPageView.as_view(), name="strategy"),
    path("placements/<int:pk>/", hierarchy.PlacementPageView.as_view(), name="placement"),
    path(
        "summaries/weekly/",
        summaries.SummaryListView.as_view(period_type=PeriodType.WEEK),
        name="summaries_weekly",
    ),
    path(
        "summaries/monthly/",
        summaries.SummaryListView.as_view(period_type=PeriodType.MONTH),
        name="summaries_monthly",
    ),
    path("summaries/<int:pk>/", summaries.SummaryDetailView.as_view(), name="summary"),
    path("summaries/<int:pk>/pdf", summaries.SummaryPdfView.as_view(), name="summary_pdf"),
    path("uploads/", uploads.UploadsView.as_view(), name="uploads"),
    path("uploads/<int:pk>/", uploads.UploadDetailView.as_view(), name="upload"),
    path("insertion-orders/<int:pk>/", pacing.OrderPacingView.as_view(), name="order_pacing"),
    path("schedules/", schedules.ScheduleListView.as_view(), name="schedules"),
    path("schedules/new/", schedules.ScheduleEditView.as_view(), name="schedule_new"),
    path("schedules/<int:pk>/", schedules.ScheduleEditView.as_view(), name="schedule_edit"),
    path("schedules/<int:pk>/pause/", schedules.SchedulePauseView.as_view(), name="schedule_pause"),
]
