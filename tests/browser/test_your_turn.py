"""«Your turn», on a phone: the bell's count, the marked request, the banner, and the expert's
side of the same conversation — in a real Chromium at 360 px."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from clearance import services
from tests.browser import pages
from tests.conftest import expert_for, open_task

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MESSAGE = "لطفاً رسید کلید خوابگاه را بارگذاری کنید."
REASON = "تصویر کارت ملی خوانا نیست."
REPLY = "رسید را پیوست کردم."


def bell_count(page: Page) -> Locator:
    # The bell stays in the bar on a phone: no need to open the folded menu.
    return page.locator("nav #bell #bell-count")


def test_a_student_on_a_phone_sees_their_turn_and_the_expert_sees_the_answer(
    open_browser, submitted, student, experts, faculty
):
    expert = expert_for(experts, "education", faculty)
    task = open_task(submitted)
    services.task_claim(task=task, user=expert)
    services.comment_post(
        clearance_request=submitted, author=expert, office=expert.roles.get().office, body=MESSAGE
    )
    fits = pages.WidthCheck(enabled=True)

    phone = open_browser("student", "phone")
    pages.sign_in(phone, student.username)
    expect(bell_count(phone)).to_be_visible()
    expect(bell_count(phone)).to_have_text("۱")
    expect(phone.locator("tr.request-row .your-turn")).to_have_text("پاسخ شما لازم است")
    fits(phone)

    phone.locator(f"tr.request-row a[href='/requests/{submitted.pk}/']").first.click()
    banner = phone.locator("#your-turn")
    expect(banner).to_contain_text(MESSAGE)
    expect(banner).to_be_in_viewport()
    expect(bell_count(phone)).to_have_count(0)
    # On a phone the messages and the timeline come before the form's values, folded.
    values = phone.locator("details.request-values")
    messages_top = phone.locator("#comments").bounding_box()["y"]
    timeline_top = phone.locator(".timeline").bounding_box()["y"]
    assert messages_top < timeline_top < values.bounding_box()["y"]
    expect(values).not_to_have_attribute("open", re.compile(".*"))
    values.locator("summary").click()
    expect(values.locator("dl.values")).to_be_visible()
    fits(phone)

    # Replying answers the office: the banner's action leads to the message box.
    banner.locator("a[href='#id_body']").click()
    expect(phone.locator("#id_body")).to_be_in_viewport()
    phone.locator("#id_body").fill(REPLY)
    with phone.expect_navigation():
        phone.locator("#comments form button[type=submit]").click()
    expect(phone.locator("#your-turn")).to_have_count(0)
    phone.goto("/requests/")
    expect(phone.locator("tr.request-row .your-turn")).to_have_count(0)

    # The expert holding the task sees the reply marked, then opens it.
    office = open_browser("expert", "phone")
    pages.sign_in(office, expert.username)
    expect(bell_count(office)).to_have_text("۱")
    office.goto("/office/mine/")
    expect(office.locator("tr.task-row .student-answered")).to_be_visible()
    fits(office)
    office.locator(f"tr.task-row a[href='/office/tasks/{task.pk}/']").click()
    expect(office.locator("#your-turn")).to_contain_text(REPLY)
    expect(bell_count(office)).to_have_count(0)
    pages.return_to_student(office, REASON)
    fits(office)

    # Returned: the request is marked again and opens with the reason and the way to act.
    phone.goto("/requests/")
    expect(bell_count(phone)).to_have_text("۱")
    expect(phone.locator("tr.request-row .your-turn")).to_be_visible()
    phone.goto(f"/requests/{submitted.pk}/")
    expect(phone.locator("#your-turn")).to_contain_text(REASON)
    expect(phone.locator(f"#your-turn a[href='/requests/{submitted.pk}/edit/']")).to_be_visible()
    fits(phone)
    fits.assert_all_fit()
