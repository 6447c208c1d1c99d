"""What changed between two versions of a procedure's process, between a draft and a
version, or between a draft and the decision's step table (issue 9, item 3).

``read`` turns a process into a :class:`~motcua.design.diffs.snapshot.Snapshot` through the
checks' own dialect reader; ``compare`` and ``forms`` set two snapshots side by side;
``decision`` exposes the legal checks' comparison with the step table as changes;
``operations`` finds what a designer may compare; ``views`` (API) and ``pages`` show it.

How elements are matched: by element id first. A step left without a partner on both sides
is then paired with the one that carries the same decision row (``row``), and failing that
the one with the same name, when exactly one such step is left on each side: its id changed
("changed", field ``id``), not a step removed and another added. A flow left over is paired
with the one joining the same two (matched) nodes. The diagram's drawing (positions, sizes)
is not compared: moving a shape changes nothing a dossier meets.
"""
