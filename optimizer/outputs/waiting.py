"""What waiting at the hubs does in a plan, counted from its routed batches.

A batch waits by choice when it takes a later departure of its first lane than the first it
could take (``BatchPlan.wait_days``); what that saves in landed cost, the batch alone moved to
its first departure and the other batches unchanged, is ``wait_saving_cny``; storage at the hub
(``components.storage``) is paid from the day the batch is ready to the day it leaves, whether
it waits by choice or for the schedule.

The batches' savings do not add up to what waiting saves the plan: batches that wait for the
same departure or declaration each count the vehicle or fee they share (eleven batches waiting
to join one 1,000 CNY declaration each save about 1,000 CNY alone). So the sum is shown as what
it is, each batch's own saving summed, never as the plan's saving.

The terminal, the tables and ``analysis.compare`` show these figures; report.html counts the
same from plan.json alone (``outputs.html``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from optimizer.plan import BatchPlan


@dataclass(frozen=True, slots=True)
class Waiting:
    """The plan's waiting figures (see the module docstring)."""

    #: routed batches that wait by choice for a later departure, and the days they wait in all
    batches_waiting: int
    wait_days: int
    #: each waiting batch's own saving (``BatchPlan.wait_saving_cny``), summed: not what
    #: waiting saves the plan (see the module docstring)
    wait_saving_cny: float
    #: the batches that wait but save nothing by it
    waiting_for_nothing: int
    #: storage at the hubs, every routed batch (part of the landed cost)
    storage_cny: float
    #: the batches that wait, the largest saving first (ties by batch id)
    waiting: tuple[BatchPlan, ...]


def waiting(batches: Sequence[BatchPlan]) -> Waiting:
    """The waiting figures of these routed batches."""
    waits = tuple(sorted((bp for bp in batches if bp.wait_days > 0),
                         key=lambda bp: (-bp.wait_saving_cny, bp.batch_id)))
    return Waiting(batches_waiting=len(waits), wait_days=sum(bp.wait_days for bp in waits),
                   wait_saving_cny=sum(bp.wait_saving_cny for bp in waits),
                   waiting_for_nothing=sum(1 for bp in waits if bp.wait_saving_cny <= 0),
                   storage_cny=sum(bp.components.storage for bp in batches), waiting=waits)


def waiting_line(batches: Sequence[BatchPlan]) -> str | None:
    """One line for the terminal: 'waiting: 12 of 40 batches wait for a later departure (19
    days in all); each one's own saving against leaving first, summed: 3,456 CNY (a fee
    shared by several counts in each); 2 of them save nothing; storage at the hubs 78 CNY';
    None when no batch waits."""
    w = waiting(batches)
    if not w.batches_waiting:
        return None
    nothing = (f"; {w.waiting_for_nothing:,} of them save nothing"
               if w.waiting_for_nothing else "")
    return (f"waiting: {w.batches_waiting:,} of {len(batches):,} batches wait for a later "
            f"departure ({w.wait_days:,} days in all); each one's own saving against leaving "
            f"first, summed: {w.wait_saving_cny:,.0f} CNY (a fee shared by several counts in "
            f"each){nothing}; storage at the hubs {w.storage_cny:,.0f} CNY")
