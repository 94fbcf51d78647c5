"""Messages to people: in-app notifications, e-mail and SMS through the background worker.

``events``    what each event tells whom (``notify_student``, ``notify_expert``), written in
              the transaction of the action that causes it
``delivery``  one ``Delivery`` row per e-mail/SMS, sent by ``manage.py db_worker``, retried
              with back-off, then marked failed (visible in the admin)
``sms``       the SMS gateways: console (demo), memory (tests), Kavenegar
``inbox``     the bell: what a person has not read yet, read once per page
"""

from clearance.notifications.events import notify_expert, notify_student

__all__ = ["notify_expert", "notify_student"]
