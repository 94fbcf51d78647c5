import pytest
from clearance.demo import DEMO_PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

def test_explore(open_browser, faculty):
    make_user("student1", first_name="سارا", last_name="احمدی", student_number="98100001")
    page = open_browser("student")
    page.goto("/login/")
    open("/tmp/explore/login.html","w").write(page.content())
    page.locator("#id_username").fill("student1")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/requests/")
    page.goto("/requests/new/")
    open("/tmp/explore/form.html","w").write(page.content())
    page.screenshot(path="/tmp/explore/form.png", full_page=True)
    page.locator("#id_birth_date").click()
    page.screenshot(path="/tmp/explore/picker.png")
