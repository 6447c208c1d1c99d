"""Merkle trees as RFC 9162 (Certificate Transparency 2.0) hashes them: a leaf is
SHA-256(0x00 ‖ data), a node SHA-256(0x01 ‖ left ‖ right), and a tree of n leaves splits at the
largest power of two smaller than n. Inclusion and consistency proofs, and their
verification, follow the RFC's algorithms (sections 2.1.3 and 2.1.4) step by step, so that
anyone holding a printed root can check them with any RFC 9162 library.

The daily tree's leaves are the dossiers' chain heads, ordered by dossier id: ``leaf_data``."""

from __future__ import annotations

import hashlib
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence

import rfc8785

HASH_SIZE = 32
# RFC 9162 2.1.1: the hash of an empty tree is the hash of the empty string.
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_data(dossier_id: int, size: int, head: str) -> bytes:
    """A dossier's chain head as RFC 8785 canonical JSON: ``{"dossier_id":…,"head":…,
    "size":…}``. A well-formed head (64 lower-case hex digits) is written out directly
    (integers and such a string have one spelling, the keys are in code-point order): the
    same bytes rfc8785 gives, a hundred times faster; anything else a tampered row may hold
    goes through rfc8785."""
    if len(head) == 64 and not head.strip("0123456789abcdef"):
        return b'{"dossier_id":%d,"head":"%s","size":%d}' % (dossier_id, head.encode(), size)
    return rfc8785.dumps({"dossier_id": dossier_id, "head": head, "size": size})


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaf_hashes: Iterable[bytes]) -> bytes:
    """The tree hash of these leaf hashes."""
    return size_and_root(leaf_hashes)[1]


def size_and_root(leaf_hashes: Iterable[bytes]) -> tuple[int, bytes]:
    """The number of leaves and the tree hash of a stream of leaf hashes, in O(log n)
    memory: perfect subtrees are merged as soon as two of one height meet, and what is left
    is folded from the right, which is the RFC's split at the largest power of two."""
    stack: list[tuple[int, bytes]] = []
    size = 0
    for value in leaf_hashes:
        size += 1
        height, value_ = 0, value
        while stack and stack[-1][0] == height:
            value_ = node_hash(stack.pop()[1], value_)
            height += 1
        stack.append((height, value_))
    if not stack:
        return 0, EMPTY_ROOT
    result = stack[-1][1]
    for _height, value in reversed(stack[:-1]):
        result = node_hash(value, result)
    return size, result


def _mth(hashes: Sequence[bytes], lo: int, hi: int) -> bytes:
    if hi - lo == 1:
        return hashes[lo]
    k = _split(hi - lo)
    return node_hash(_mth(hashes, lo, lo + k), _mth(hashes, lo + k, hi))


def inclusion_proof(hashes: Sequence[bytes], index: int) -> list[bytes]:
    """RFC 9162 2.1.3.1 PATH(m, D[n]): the sibling hashes from leaf ``index`` up to the root,
    over the tree of these leaf hashes."""
    if not 0 <= index < len(hashes):
        raise IndexError(f"leaf {index} is not in a tree of {len(hashes)}")
    path: list[bytes] = []
    lo, hi, m = 0, len(hashes), index
    # Walk down from the root; the RFC's recursion appends from the bottom, so prepend.
    while hi - lo > 1:
        k = _split(hi - lo)
        if m < k:
            path.insert(0, _mth(hashes, lo + k, hi))
            hi = lo + k
        else:
            path.insert(0, _mth(hashes, lo, lo + k))
            lo, m = lo + k, m - k
    return path


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes],
                     expected_root: bytes) -> bool:
    """RFC 9162 2.1.3.2: does ``proof`` put ``leaf`` at ``index`` of a tree of ``size`` leaves
    whose root is ``expected_root``?"""
    if not 0 <= index < size or any(len(p) != HASH_SIZE for p in proof):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root


def consistency_proof(hashes: Sequence[bytes], first_size: int) -> list[bytes]:
    """RFC 9162 2.1.4.1 PROOF(m, D[n]): the hashes showing that the tree of the first
    ``first_size`` of these leaves is a prefix of the tree of all of them."""
    n = len(hashes)
    if not 0 <= first_size <= n:
        raise ValueError(f"no tree of {first_size} leaves inside one of {n}")
    if first_size in (0, n):
        return []
    proof: list[bytes] = []
    lo, hi, m, whole = 0, n, first_size, True
    # SUBPROOF(m, D[lo:hi], whole), unrolled; the RFC appends from the bottom: prepend.
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            proof.insert(0, _mth(hashes, lo + k, hi))
            hi = lo + k
        else:
            proof.insert(0, _mth(hashes, lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    if not whole:
        proof.insert(0, _mth(hashes, lo, hi))
    return proof


def verify_consistency(first_size: int, second_size: int, first_root: bytes,
                       second_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 2.1.4.2: is the tree of ``first_size`` leaves with ``first_root`` a prefix of
    the one of ``second_size`` leaves with ``second_root``? Equal sizes need an empty proof
    and equal roots; the empty tree (its root the hash of nothing) is a prefix of every
    tree."""
    if not 0 <= first_size <= second_size or any(len(p) != HASH_SIZE for p in proof):
        return False
    if first_size == second_size:
        return not proof and first_root == second_root
    if first_size == 0:
        return not proof and first_root == EMPTY_ROOT
    if not proof:
        return False
    path = list(proof)
    if first_size & (first_size - 1) == 0:  # an exact power of two
        path.insert(0, first_root)
    fn, sn = first_size - 1, second_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


class HeadTree:
    """A tree whose leaves are keyed (by dossier id) and change in place, kept with its
    perfect-subtree nodes so that changing k of n leaves recomputes about k·log(n/k) nodes
    instead of n: verifying a year of daily trees over a million dossiers stays linear in
    what changed. Each leaf carries a tag (the chain's size) for the caller's checks.

    Memory: 8 bytes of key and tag and about 64 bytes of hashes per leaf."""

    def __init__(self) -> None:
        self.keys = array("q")
        self.tags = array("q")
        # levels[0] holds the leaf hashes; levels[h] the nodes over aligned runs of 2**h.
        self.levels: list[bytearray] = [bytearray()]

    def __len__(self) -> int:
        return len(self.keys)

    def find(self, key: int) -> int | None:
        index = bisect_left(self.keys, key)
        return index if index < len(self.keys) and self.keys[index] == key else None

    def leaf(self, index: int) -> bytes:
        return bytes(self.levels[0][index * HASH_SIZE:(index + 1) * HASH_SIZE])

    def update(self, changes: Iterable[tuple[int, int, bytes]]) -> None:
        """Set these (key, tag, leaf hash) leaves: a known key is replaced, a new one added
        in key order."""
        leaves = self.levels[0]
        dirty: set[int] = set()
        late: dict[int, tuple[int, bytes]] = {}
        for key, tag, value in changes:
            index = self.find(key)
            if index is not None:
                leaves[index * HASH_SIZE:(index + 1) * HASH_SIZE] = value
                self.tags[index] = tag
                dirty.add(index)
            elif not self.keys or key > self.keys[-1]:
                dirty.add(len(self.keys))
                self.keys.append(key)
                self.tags.append(tag)
                leaves += value
            else:
                late[key] = (tag, value)  # lands between known keys: merged below
        if late:
            self._merge(late)
            self._refresh(None)
        else:
            self._refresh(dirty)

    def _merge(self, late: dict[int, tuple[int, bytes]]) -> None:
        keys, tags, leaves = array("q"), array("q"), bytearray()
        pending = sorted(late)
        position = 0
        for index, key in enumerate(self.keys):
            while position < len(pending) and pending[position] < key:
                new = pending[position]
                keys.append(new)
                tags.append(late[new][0])
                leaves += late[new][1]
                position += 1
            keys.append(key)
            tags.append(self.tags[index])
            leaves += self.levels[0][index * HASH_SIZE:(index + 1) * HASH_SIZE]
        for new in pending[position:]:
            keys.append(new)
            tags.append(late[new][0])
            leaves += late[new][1]
        self.keys, self.tags, self.levels = keys, tags, [leaves]

    def _refresh(self, dirty: set[int] | None) -> None:
        """Recompute the nodes above the dirty leaves (all of them when None)."""
        height = 0
        while True:
            below = self.levels[height]
            count = len(below) // (2 * HASH_SIZE)
            if count == 0:
                del self.levels[height + 1:]
                return
            if height + 1 == len(self.levels):
                self.levels.append(bytearray())
            above = self.levels[height + 1]
            # New nodes come from new pairs below, whose right child is dirty: computed next.
            if len(above) < count * HASH_SIZE:
                above.extend(bytes(count * HASH_SIZE - len(above)))
            indexes: Iterable[int] = range(count) if dirty is None else sorted(
                {i >> 1 for i in dirty if i >> 1 < count})
            sha256 = hashlib.sha256
            for i in indexes:
                start = 2 * i * HASH_SIZE
                above[i * HASH_SIZE:(i + 1) * HASH_SIZE] = sha256(
                    b"\x01" + below[start:start + 2 * HASH_SIZE]).digest()
            if dirty is not None:
                dirty = set(indexes)
            height += 1

    def root(self) -> bytes:
        """The RFC 9162 root: the perfect subtrees of n's binary digits, folded from the
        right."""
        n = len(self.keys)
        if n == 0:
            return EMPTY_ROOT
        parts = []
        for height in range(n.bit_length() - 1, -1, -1):
            if n >> height & 1:
                index = (n >> height) - 1
                level = self.levels[height]
                parts.append(bytes(level[index * HASH_SIZE:(index + 1) * HASH_SIZE]))
        result = parts[-1]
        for part in reversed(parts[:-1]):
            result = node_hash(part, result)
        return result
