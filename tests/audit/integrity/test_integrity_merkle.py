"""RFC 9162 Merkle trees tested the way transparency logs test theirs: the published test
vectors of Certificate Transparency, every inclusion and consistency proof of small trees,
and each proof corrupted (wrong leaf, index ±1, size ×2 and ÷2, an altered, missing or extra
part, empty and random roots) refused; the incremental tree the verifier keeps agrees with
the tree built from scratch after any mix of changes."""

from __future__ import annotations

import hashlib
import random

import pytest
import rfc8785

from motcua.audit.integrity.merkle import (
    EMPTY_ROOT,
    HeadTree,
    consistency_proof,
    inclusion_proof,
    leaf_data,
    leaf_hash,
    root,
    size_and_root,
    verify_consistency,
    verify_inclusion,
)

# The leaves and roots of the Certificate Transparency test vectors (RFC 6962 hashing,
# unchanged in RFC 9162), as transparency-dev/merkle publishes them.
VECTOR_LEAVES = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43",
                 bytes(range(0x50, 0x58)), bytes(range(0x60, 0x70))]
VECTOR_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
HASHES = [leaf_hash(x) for x in VECTOR_LEAVES]
RANDOM_ROOT = hashlib.sha256(b"not a tree").digest()


def _hashes(n: int) -> list[bytes]:
    return [leaf_hash(b"leaf %d" % i) for i in range(n)]


def test_roots_match_the_published_vectors() -> None:
    assert root([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()
    for size, expected in enumerate(VECTOR_ROOTS, start=1):
        assert root(HASHES[:size]).hex() == expected
        assert size_and_root(iter(HASHES[:size])) == (size, bytes.fromhex(expected))


def test_inclusion_and_consistency_proofs_match_the_published_vectors() -> None:
    assert [p.hex() for p in inclusion_proof(HASHES, 0)] == [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]
    assert [p.hex() for p in consistency_proof(HASHES, 3)] == [
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]
    assert [p.hex() for p in consistency_proof(HASHES, 4)] == [
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]
    assert consistency_proof(HASHES, 8) == [] and consistency_proof(HASHES, 0) == []


def _flipped(proof: list[bytes], index: int) -> list[bytes]:
    changed = list(proof)
    changed[index] = bytes([changed[index][0] ^ 8]) + changed[index][1:]
    return changed


def _corrupt_inclusions(index: int, size: int, leaf: bytes, proof: list[bytes], tree: bytes
                        ) -> list[tuple[int, int, bytes, list[bytes], bytes]]:
    variants = [
        (index - 1, size, leaf, proof, tree), (index + 1, size, leaf, proof, tree),
        (index ^ 2, size, leaf, proof, tree),
        (index, size * 2, leaf, proof, tree), (index, size // 2, leaf, proof, tree),
        (index, size, leaf_hash(b"wrong leaf"), proof, tree),
        (index, size, EMPTY_ROOT, proof, tree),
        (index, size, leaf, proof, EMPTY_ROOT), (index, size, leaf, proof, RANDOM_ROOT),
        (index, size, leaf, [*proof, b""], tree), (index, size, leaf, [*proof, b"\x00"], tree),
        (index, size, leaf, [*proof, tree], tree), (index, size, leaf, [tree, *proof], tree),
        (index, size, leaf, [b"\x00" * 32, *proof], tree),
    ]
    if proof:
        variants.append((index, size, leaf, proof[:-1], tree))
        variants.append((index, size, leaf, proof[1:], tree))
    variants += [(index, size, leaf, _flipped(proof, i), tree) for i in range(len(proof))]
    return variants


@pytest.mark.parametrize("size", [*range(1, 34), 64, 65, 100])
def test_every_inclusion_proof_verifies_and_every_corruption_is_refused(size: int) -> None:
    hashes = _hashes(size)
    tree = root(hashes)
    for index in range(size):
        proof = inclusion_proof(hashes, index)
        assert verify_inclusion(index, size, hashes[index], proof, tree)
        for variant in _corrupt_inclusions(index, size, hashes[index], proof, tree):
            assert not verify_inclusion(*variant), (index, size, variant[:2])
    with pytest.raises(IndexError):
        inclusion_proof(hashes, size)


def _corrupt_consistencies(m: int, n: int, first: bytes, second: bytes, proof: list[bytes]
                           ) -> list[tuple[int, int, bytes, bytes, list[bytes]]]:
    variants = [
        (m - 1, n, first, second, proof), (m + 1, n, first, second, proof),
        (m ^ 2, n, first, second, proof),
        (m, n * 2, first, second, proof), (m, n // 2, first, second, proof),
        (m, n, RANDOM_ROOT, second, proof), (m, n, first, RANDOM_ROOT, proof),
        (m, n, EMPTY_ROOT, second, proof), (m, n, first, EMPTY_ROOT, proof),
        (m, n, second, first, proof),
        (m, n, first, second, [*proof, b""]), (m, n, first, second, [*proof, first]),
        (m, n, first, second, [second, *proof]),
    ]
    if proof:
        variants.append((m, n, first, second, proof[:-1]))
        variants.append((m, n, first, second, proof[1:]))
    variants += [(m, n, first, second, _flipped(proof, i)) for i in range(len(proof))]
    return variants


@pytest.mark.parametrize("n", [*range(1, 34), 64, 100])
def test_every_consistency_proof_verifies_and_every_corruption_is_refused(n: int) -> None:
    hashes = _hashes(n)
    second = root(hashes)
    for m in range(1, n):
        first = root(hashes[:m])
        proof = consistency_proof(hashes, m)
        assert verify_consistency(m, n, first, second, proof)
        for variant in _corrupt_consistencies(m, n, first, second, proof):
            assert not verify_consistency(*variant), (m, n, variant[:2])
    # The same tree: no proof, the same root; the empty tree: a prefix of every tree.
    assert verify_consistency(n, n, second, second, [])
    assert not verify_consistency(n, n, second, RANDOM_ROOT, [])
    assert not verify_consistency(n, n, second, second, [second])
    assert verify_consistency(0, n, EMPTY_ROOT, second, [])
    assert not verify_consistency(0, n, RANDOM_ROOT, second, [])
    assert not verify_consistency(n, n - 1, second, second, [])


def test_consistency_between_days_holds_while_the_log_only_grows() -> None:
    """Day 2 adds leaves after day 1's: day 1's tree is a prefix. A leaf of day 1 changed
    afterwards (a rewritten history) and day 2's tree is no longer consistent with it."""
    day_1 = _hashes(13)
    day_2 = [*day_1, *(leaf_hash(b"day 2 %d" % i) for i in range(9))]
    proof = consistency_proof(day_2, len(day_1))
    assert verify_consistency(len(day_1), len(day_2), root(day_1), root(day_2), proof)
    rewritten = list(day_2)
    rewritten[5] = leaf_hash(b"rewritten")
    forged = consistency_proof(rewritten, len(day_1))
    assert not verify_consistency(len(day_1), len(day_2), root(day_1), root(rewritten), forged)


def test_leaf_data_is_the_rfc8785_form_of_the_chain_head() -> None:
    head = hashlib.sha256(b"x").hexdigest()
    assert leaf_data(42, 7, head) == rfc8785.dumps({"size": 7, "head": head, "dossier_id": 42})
    # A tampered row may hold anything: it still has one canonical form.
    for odd in ("ABC", 'quote " and \\ \n', head.upper(), ""):
        assert leaf_data(1, 2, odd) == rfc8785.dumps({"dossier_id": 1, "head": odd, "size": 2})
    assert leaf_data(1, 2, head) != leaf_data(1, 3, head) != leaf_data(2, 2, head)


def _reference_root(leaves: dict[int, bytes]) -> bytes:
    return root([leaves[k] for k in sorted(leaves)])


def test_the_incremental_tree_agrees_with_the_tree_built_from_scratch() -> None:
    rng = random.Random(9162)
    tree, leaves, tags = HeadTree(), dict[int, bytes](), dict[int, int]()
    assert tree.root() == EMPTY_ROOT
    next_key = 10
    for _round in range(120):
        changes = []
        for _ in range(rng.choice([0, 1, 2, 5, 17])):
            what = rng.random()
            if leaves and what < 0.5:
                key = rng.choice(list(leaves))  # a dossier whose chain grew
            elif what < 0.9:
                next_key += rng.randint(1, 3)  # a new dossier
                key = next_key
            else:
                key = rng.randint(0, next_key)  # committed late: lands between known keys
            changes.append((key, rng.randint(1, 50), leaf_hash(rng.randbytes(8))))
        changes.sort()
        tree.update(changes)
        for key, tag, value in changes:
            leaves[key], tags[key] = value, tag
        assert len(tree) == len(leaves)
        assert tree.root() == _reference_root(leaves)
    for key, tag in tags.items():
        index = tree.find(key)
        assert index is not None and tree.tags[index] == tag and tree.leaf(index) == leaves[key]
    assert tree.find(-1) is None
