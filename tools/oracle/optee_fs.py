#!/usr/bin/python3
"""An independent reader (and minimal writer) of OP-TEE REE FS files.

Written from shared/reference/optee-storage-format.md (sections 1 and 2),
not from teestore's C code, so that each checks the other. Given the HUK
(and the TA UUID or --dirf) or the TSK, it verifies a hash-tree file
completely and prints its plaintext; `write-one` writes a file holding at
most one data block, as OP-TEE's create + write + sync would.

Exit status: 0 success, 1 the file fails verification (the reason is
printed: CORRUPT_OBJECT, SECURITY or NO_DATA), 2 usage or I/O error.
Needs python3-cryptography (Debian).
"""

import argparse
import hashlib
import hmac
import os
import struct
import sys
import uuid as uuidlib

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.exceptions import InvalidTag

BLOCK = 4096
NODE = 66
HEAD = 68
NODES_PER_BLOCK = 31
FLAG_BLOCK = 1


class Corrupt(Exception):
    """The file fails verification; args[0] is the GP error name."""


# ---- keys (reference section 2) ----

def ssk_from_huk(huk, compat=True):
    if compat:
        msg = b"BEEF" * 8 + b"ONLY_FOR_tee_fs_ssk\0"
    else:
        msg = struct.pack("<I", 1)
    return hmac.new(huk, msg, hashlib.sha256).digest()


def uuid_octets(text):
    u = uuidlib.UUID(text)
    f = u.fields
    return struct.pack("<IHH", f[0], f[1], f[2]) + u.bytes[8:]


def tsk_from_ssk(ssk, ta_uuid=None, dirf=False):
    m = b"\0" if dirf else uuid_octets(ta_uuid)
    return hmac.new(ssk, m, hashlib.sha256).digest()


def aes_ecb(key, block, encrypt):
    c = Cipher(algorithms.AES(key), modes.ECB())
    op = c.encryptor() if encrypt else c.decryptor()
    return op.update(block) + op.finalize()


# ---- layout (reference section 1, the get_offs_size formula) ----

def head_off(vers):
    return HEAD * vers


def node_off(node_id, vers):
    idx = node_id - 1
    pbn = 1 + (idx // NODES_PER_BLOCK) * NODES_PER_BLOCK * 2
    return pbn * BLOCK + 2 * NODE * (idx % NODES_PER_BLOCK) + NODE * vers


def block_off(idx, vers):
    bidx = 2 * idx + vers
    pbn = 2 + bidx + bidx // (NODES_PER_BLOCK * 2 - 1)
    return pbn * BLOCK


# ---- structures ----

def parse_node(b):
    return {"hash": b[0:32], "iv": b[32:48], "tag": b[48:64],
            "flags": struct.unpack("<H", b[64:66])[0]}


def pack_node(n):
    return n["hash"] + n["iv"] + n["tag"] + struct.pack("<H", n["flags"])


def parse_head(b):
    return {"iv": b[0:16], "tag": b[16:32], "enc_fek": b[32:48],
            "imeta": b[48:64], "counter": struct.unpack("<I", b[64:68])[0]}


def pack_head(h):
    return (h["iv"] + h["tag"] + h["enc_fek"] + h["imeta"] +
            struct.pack("<I", h["counter"]))


def node_hash(n, length, children):
    """SHA-256(iv || tag || flags [|| meta, root] || child hashes)."""
    d = hashlib.sha256(n["iv"] + n["tag"] + struct.pack("<H", n["flags"]))
    if length is not None:
        d.update(struct.pack("<Q", length))
    for c in children:
        d.update(c["hash"])
    return d.digest()


def head_aad(root_hash, counter, enc_fek, iv, hash_size):
    return root_hash[:hash_size] + struct.pack("<I", counter) + enc_fek + iv


# ---- reading ----

class File:
    def __init__(self, data):
        self.data = data

    def read(self, off, size):
        b = self.data[off:off + size]
        if len(b) != size:
            raise Corrupt("CORRUPT_OBJECT", "short read at %d" % off)
        return b


def choose(f, expected_hash):
    """Returns (slot, head, root node) of the committed version."""
    if expected_hash is not None:
        for slot in (0, 1):
            root = parse_node(f.read(node_off(1, slot), NODE))
            if hmac.compare_digest(root["hash"], expected_hash):
                return slot, parse_head(f.read(head_off(slot), HEAD)), root
        raise Corrupt("CORRUPT_OBJECT", "no root matches the hash")
    raw = f.data[:2 * HEAD]
    if len(raw) < 2 * HEAD or raw == bytes(2 * HEAD):
        if raw == bytes(len(raw)):
            raise Corrupt("NO_DATA", "no committed header")
        raise Corrupt("CORRUPT_OBJECT", "short header")
    heads = [parse_head(raw[0:HEAD]), parse_head(raw[HEAD:2 * HEAD])]
    c0, c1 = heads[0]["counter"], heads[1]["counter"]
    if c0 % 2 == 0 and c1 % 2 == 0:
        slot = 0
    elif c0 % 2 == 0:
        slot = 0 if c0 > c1 else 1
    elif c1 % 2 == 1:
        slot = 1
    else:
        raise Corrupt("SECURITY", "odd/even counter rule")
    if heads[slot]["counter"] == 0 and heads[slot]["tag"] == bytes(16):
        raise Corrupt("NO_DATA", "create never completed")
    return slot, heads[slot], parse_node(f.read(node_off(1, slot), NODE))


def gcm_open(key, iv, aad, ct, tag, what):
    try:
        return AESGCM(key).decrypt(iv, ct + tag, aad)
    except InvalidTag:
        raise Corrupt("CORRUPT_OBJECT", "bad tag: " + what) from None


def read_tree(data, tsk, expected_hash=None, min_counter=0, hash_size=16):
    """Verifies everything; returns (plaintext, info dict)."""
    f = File(data)
    slot, head, root = choose(f, expected_hash)
    if head["counter"] < min_counter:
        raise Corrupt("SECURITY", "counter below min_counter")
    fek = aes_ecb(tsk, head["enc_fek"], False)
    imeta = gcm_open(fek, head["iv"],
                     head_aad(root["hash"], head["counter"], head["enc_fek"],
                              head["iv"], hash_size),
                     head["imeta"], head["tag"], "header")
    length, max_node_id = struct.unpack("<QI", imeta[:12])
    nodes = {1: root}
    for nid in range(2, max_node_id + 1):
        parent = nodes[nid // 2]
        vers = 1 if parent["flags"] & (2 << (nid & 1)) else 0
        nodes[nid] = parse_node(f.read(node_off(nid, vers), NODE))
    for nid in range(max(max_node_id, 1), 0, -1):
        kids = [nodes[c] for c in (2 * nid, 2 * nid + 1) if c in nodes]
        h = node_hash(nodes[nid], length if nid == 1 else None, kids)
        if not hmac.compare_digest(h, nodes[nid]["hash"]):
            raise Corrupt("CORRUPT_OBJECT", "hash of node %d" % nid)
    out = bytearray()
    for b in range((length + BLOCK - 1) // BLOCK):
        n = nodes.get(b + 1)
        if n is None:
            raise Corrupt("CORRUPT_OBJECT", "no node for block %d" % b)
        ct = f.read(block_off(b, n["flags"] & FLAG_BLOCK), BLOCK)
        out += gcm_open(fek, n["iv"], head["enc_fek"] + n["iv"], ct,
                        n["tag"], "block %d" % b)
    info = {"slot": slot, "counter": head["counter"], "length": length,
            "max_node_id": max_node_id, "root_hash": root["hash"].hex()}
    return bytes(out[:length]), info


# ---- writing (one data block at most) ----

def write_one(plain, tsk, hash_size=16):
    """The file OP-TEE leaves after create, a write of <= 4096 bytes at 0
    and a sync: slot 1 holds the empty tree (counter 1, root version 1),
    slot 0 the data (counter 2, root version 0, block 0 version 1)."""
    if len(plain) > BLOCK:
        raise ValueError("write-one holds at most one block")
    fek = os.urandom(16)
    enc_fek = aes_ecb(tsk, fek, True)
    img = bytearray(block_off(0, 1) + BLOCK)

    def put(off, b):
        img[off:off + len(b)] = b

    def header(root, length, counter):
        iv = os.urandom(16)
        imeta = struct.pack("<QI", length, 0) + bytes(4)
        sealed = AESGCM(fek).encrypt(
            iv, imeta, head_aad(root["hash"], counter, enc_fek, iv,
                                hash_size))
        return {"iv": iv, "tag": sealed[16:], "enc_fek": enc_fek,
                "imeta": sealed[:16], "counter": counter}

    # Generation 1: the empty tree.
    root = {"iv": bytes(16), "tag": bytes(16), "flags": 0}
    root["hash"] = node_hash(root, 0, [])
    put(node_off(1, 1), pack_node(root))
    put(head_off(1), pack_head(header(root, 0, 1)))
    # Generation 2: block 0 in version 1, root in version 0.
    block = plain + bytes(BLOCK - len(plain))
    iv = os.urandom(16)
    sealed = AESGCM(fek).encrypt(iv, block, enc_fek + iv)
    put(block_off(0, 1), sealed[:BLOCK])
    root = {"iv": iv, "tag": sealed[BLOCK:], "flags": FLAG_BLOCK}
    root["hash"] = node_hash(root, len(plain), [])
    put(node_off(1, 0), pack_node(root))
    put(head_off(0), pack_head(header(root, len(plain), 2)))
    return bytes(img), root["hash"]


# ---- command line ----

def key_args(p):
    p.add_argument("--tsk", help="the TSK (64 hex digits)")
    p.add_argument("--huk", help="the HUK (hex); with --uuid or --dirf")
    p.add_argument("--uuid", help="the TA UUID (with --huk)")
    p.add_argument("--dirf", action="store_true",
                   help="the dirf.db key (with --huk)")
    p.add_argument("--non-compat", action="store_true",
                   help="CFG_CORE_HUK_SUBKEY_COMPAT=n")
    p.add_argument("--hash-size", type=int, choices=(16, 32), default=16,
                   help="root hash bytes in the header AAD (default 16)")


def tsk_of(args):
    if args.tsk:
        tsk = bytes.fromhex(args.tsk)
        if len(tsk) != 32:
            raise SystemExit("--tsk: 32 bytes expected")
        return tsk
    if not args.huk or (not args.uuid and not args.dirf):
        raise SystemExit("give --tsk, or --huk with --uuid or --dirf")
    ssk = ssk_from_huk(bytes.fromhex(args.huk), not args.non_compat)
    return tsk_from_ssk(ssk, args.uuid, args.dirf)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("read", help="verify a file and print its plaintext")
    r.add_argument("file")
    key_args(r)
    r.add_argument("--hash", help="expected root hash (hex, 32 bytes)")
    r.add_argument("--min-counter", type=int, default=0)
    r.add_argument("-o", "--output", help="write the plaintext here")
    r.add_argument("--info", action="store_true",
                   help="print slot, counter, length, max_node_id to stderr")
    w = sub.add_parser("write-one", help="write a one-block file")
    w.add_argument("file")
    key_args(w)
    w.add_argument("--data", required=True, help="file with <= 4096 bytes")
    t = sub.add_parser("tsk", help="print the TSK derived from the HUK")
    key_args(t)
    args = ap.parse_args(argv)

    tsk = tsk_of(args)
    if args.cmd == "tsk":
        print(tsk.hex())
        return 0
    if args.cmd == "write-one":
        with open(args.data, "rb") as fp:
            plain = fp.read()
        img, root_hash = write_one(plain, tsk, args.hash_size)
        with open(args.file, "wb") as fp:
            fp.write(img)
        print(root_hash.hex())
        return 0
    with open(args.file, "rb") as fp:
        data = fp.read()
    expected = bytes.fromhex(args.hash) if args.hash else None
    try:
        plain, info = read_tree(data, tsk, expected, args.min_counter,
                                args.hash_size)
    except Corrupt as e:
        print("%s: %s" % (e.args[0], e.args[1]), file=sys.stderr)
        return 1
    if args.info:
        print(" ".join("%s=%s" % kv for kv in info.items()), file=sys.stderr)
    if args.output:
        with open(args.output, "wb") as fp:
            fp.write(plain)
    else:
        sys.stdout.buffer.write(plain)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
