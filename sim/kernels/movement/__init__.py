"""Movement: where bands and columns choose to go, and how far a day's march takes them.

Decisions are vectorised over all units. Each unit gets a goal field (a "next
cell" array from a shortest-path search toward a set of goal cells, or a local
rule) and walks it edge by edge while its daily budget of marching hours lasts;
a unit always completes at least one edge per day if it has somewhere to go, so
that steep edges slow it down without trapping it.

Band choices, in priority order: flee stronger state forces within reach (or,
on concealing ground and not outnumbered beyond ``ambush_odds``, lie in wait for
them); head
for the sanctuary when demoralised and the Afghan side admits bands; forage at
supporting villages when hungry; raid the nearest post or state-held town within reach that it is strong
enough to take; otherwise
return to the home base. A band marching home or to food goes around the posts
too strong for it to raid (it does not enter the cells next to them, except to
leave the one it stands in); when no way around exists, or its goal lies next
to such a post, it stops short and waits. Column orders: HOLD stays at its post (walking back to it if
elsewhere; its mobile troops sortie against a known weaker band at the gates), PATROL wanders around its target area or else home, PURSUE chases the
nearest visible band it can take on (at most ``pursue_ratio`` times its strength) within
pursuit range, else retakes the nearest town the
insurgents hold within that range, else marches to the area it was sent to (its
target) and patrols there, MARCH walks to its target, TAKE walks to its target town
(fighting whoever is in it) and then holds it. Columns with a route pass its
waypoints first.
"""

from sim.kernels.movement.bands import choose_band_modes, move_bands, raid_targets, strong_posts
from sim.kernels.movement.columns import move_columns, visible_bands
from sim.kernels.movement.context import CELL_KM, MoveContext
from sim.kernels.movement.paths import walk

__all__ = [
    "CELL_KM",
    "MoveContext",
    "choose_band_modes",
    "move_bands",
    "move_columns",
    "raid_targets",
    "strong_posts",
    "visible_bands",
    "walk",
]
