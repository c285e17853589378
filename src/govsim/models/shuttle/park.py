"""The industrial park: each employer's recruiters, and a delivered seeker's walk from
gate to gate.  Nothing here draws a random number: the walks, interview minutes and
luck of each visit were drawn with the seeker (``population``)."""
from __future__ import annotations

import numpy as np
import simpy

from ...calendar import DAY
from ...model_api import START
from .params import ShuttleParams
from .population import Employer, Seeker


class Park:
    def __init__(self, env: simpy.Environment, params: ShuttleParams, employers: list[Employer], trace=None):
        self.env, self.spec, self.trace = env, params.park, trace
        self.employers = employers
        self.desks = [simpy.Resource(env, capacity=e.recruiters) for e in employers]
        self.busy = np.zeros(len(employers))  # recruiter minutes per employer

    def visit(self, s: Seeker):
        """From employer to employer: an interview at each, until a hiring intention,
        the end of the seeker's list, a decision to go home, or closing time."""
        env, park, trace = self.env, self.spec, self.trace
        for k, emp in enumerate(s.choices):
            yield env.timeout(s.walk[k])
            if k == 0:
                s.t_gate = env.now
            m = env.now % DAY
            if not park.opens <= m < park.closes:
                if m < park.opens:  # early: wait at the gate for opening
                    yield env.timeout(park.opens - m)
                else:
                    break
            desk = self.employers[emp].id
            if trace is not None:
                trace.add(s.case, "queue", env.now, resource=desk)
            t_arr = env.now
            with self.desks[emp].request() as req:
                yield req
                s.interview_waits.append(env.now - t_arr)
                if trace is not None:
                    trace.add(s.case, "serve", env.now, START, desk)
                yield env.timeout(s.interview[k])
            if trace is not None:
                trace.add(s.case, "serve", env.now, resource=desk)
            self.busy[emp] += s.interview[k]
            s.interviews += 1
            if s.u_intent[k] < self.employers[emp].p_intention:
                s.intention = True
                if trace is not None:
                    trace.add(s.case, "intention", env.now, resource=desk)
                break
            if s.u_try[k] >= park.try_another:
                break
        if trace is not None:
            trace.add(s.case, "leave", env.now)
