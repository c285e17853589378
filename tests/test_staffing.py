"""govsim.staffing.Staffed: servers on a daily timetable.  Going off duty, a server
finishes the visitor in front first and takes nobody new; a change happens at its
minute exactly; at closing, AFTER_VISITORS serves everyone waiting before staff leave."""
from __future__ import annotations

from govsim.calendar import DAY
from govsim.eventloop import EventLoop
from govsim.staffing import AFTER_VISITORS, BEFORE_VISITORS, Change, Staffed


def serve(timetable, capacity, visitors, days=1, until=None):
    """visitors: (name, arrival minute, service minutes) -> {name: (start, end)} of those served."""
    loop = EventLoop()
    staffed = Staffed(loop, capacity, timetable, days)
    seen = {}

    def begin(visitor):
        name, _, service = visitor
        start = loop.now
        loop.at(start + service, finish, (name, start, visitor))

    def finish(done):
        name, start, visitor = done
        seen[name] = (start, loop.now)
        staffed.release(tickets[visitor])

    def arrive(visitor):
        tickets[visitor] = staffed.request(0, begin, visitor)
        if tickets[visitor].granted:
            begin(visitor)

    tickets = {}
    for v in visitors:
        loop.at(v[1], arrive, v)
    loop.run(until or days * DAY)
    return seen, staffed


def test_a_server_going_off_duty_finishes_the_one_in_front_first():
    timetable = [Change(0, 2), Change(60, 1, BEFORE_VISITORS), Change(120, 2)]
    seen, _ = serve(timetable, 2, [("a", 50, 30), ("b", 50, 40), ("c", 65, 60), ("d", 100, 10)])
    assert seen["a"] == (50, 80)   # not cut off at 60
    assert seen["b"] == (50, 90)
    assert seen["c"] == (90, 150)  # the server freed at 80 went off duty: c waits for b's
    assert seen["d"] == (120, 130)  # the second server is back at 120 exactly


def test_closed_until_the_first_change_and_every_day_at_its_minute():
    timetable = [Change(30, 1), Change(100, 0, BEFORE_VISITORS)]
    seen, staffed = serve(timetable, 1, [("early", 0, 5), ("late", 99, 10), ("after", 101, 5),
                                          ("next day", DAY + 10, 5)], days=2)
    assert seen["early"] == (30, 35)
    assert seen["late"] == (99, 109)  # in front at closing: finished
    assert seen["after"] == (DAY + 30, DAY + 35)  # arrived after closing: the next opening
    assert seen["next day"] == (DAY + 35, DAY + 40)
    assert staffed.on_duty == 0


def test_after_visitors_serves_everyone_waiting_at_closing():
    """(The doors close at closing time: the models admit nobody after it.)"""
    visitors = [("in front", 90, 20), ("waiting", 95, 20), ("last in", 99, 5)]
    seen, _ = serve([Change(0, 1), Change(100, 0, AFTER_VISITORS)], 1, visitors)
    assert seen == {"in front": (90, 110), "waiting": (110, 130), "last in": (130, 135)}
    seen, _ = serve([Change(0, 1), Change(100, 0, BEFORE_VISITORS)], 1, visitors)
    assert seen == {"in front": (90, 110)}  # lunch-style: staff leave once the one in front is done


def test_no_capacity_serves_nobody():
    seen, staffed = serve([Change(0, 3)], 0, [("a", 10, 5)])
    assert seen == {} and staffed.on_duty == 0
