#!/usr/bin/env python3
"""One iSCSI session held open by libiscsi itself, driven line by line from stdin.

libiscsi-bin has no tool that sends REPORT TARGET PORT GROUPS or keeps a session open while an
administrator changes the target, so this script loads the library those tools use
(libiscsi.so.7, Debian's libiscsi7, version 1.19) with ctypes and does it.

Usage: libiscsi-session.py PORTAL TARGET INITIATOR LUN
  PORTAL is host:port; LUN is the LUN the login checks (libiscsi's full connect sends TEST UNIT
  READY there until the unit attentions of a fresh login are consumed).

Prints "logged in" once the session is up, then answers each line of stdin with one line:
  tur LUN   -> "tur LUN: good" or "tur LUN: status S sense K/AA/QQ" (hexadecimal)
  rtpg LUN  -> "rtpg LUN: group 1 active/optimized, group 2 standby (set)"; "(set)" marks a
               state altered by SET TARGET PORT GROUPS, "(implicit)" one altered implicitly
  luns      -> "luns: 0 1" (REPORT LUNS through LUN 0)
  quit      -> logs out and exits
A command the transport fails prints "LINE: error MESSAGE" (libiscsi's error text).
"""

import ctypes
import struct
import sys

# struct scsi_task of libiscsi 1.19 (include/scsi-lowlevel.h) on LP64: int status;
# int cdb_size; int xfer_dir; int expxferlen; unsigned char cdb[16]; enum residual_status;
# size_t residual; struct scsi_sense { unsigned char error_type; enum key; int ascq; ... } at
# 48; struct scsi_data { int size; unsigned char *data; } at 64. The offsets of the fields
# read below; start() checks the ones scsi_create_task fills against what it was given.
STATUS, CDB_SIZE, XFER_DIR, EXPXFERLEN, CDB = 0, 4, 8, 12, 16
SENSE_KEY, SENSE_ASCQ = 52, 56
DATAIN_SIZE, DATAIN_DATA = 64, 72

ISCSI_SESSION_NORMAL = 2
ISCSI_HEADER_DIGEST_NONE = 0
SCSI_XFER_NONE, SCSI_XFER_READ = 0, 1

STATES = {0: "active/optimized", 1: "active/nonoptimized", 2: "standby", 3: "unavailable",
          0xE: "offline", 0xF: "transitioning"}
ALTERED = {1: " (set)", 2: " (implicit)"}

lib = ctypes.CDLL("libiscsi.so.7")
lib.iscsi_create_context.restype = ctypes.c_void_p
lib.iscsi_create_context.argtypes = [ctypes.c_char_p]
lib.iscsi_set_targetname.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
lib.iscsi_set_session_type.argtypes = [ctypes.c_void_p, ctypes.c_int]
lib.iscsi_set_header_digest.argtypes = [ctypes.c_void_p, ctypes.c_int]
lib.iscsi_set_timeout.argtypes = [ctypes.c_void_p, ctypes.c_int]
lib.iscsi_full_connect_sync.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
lib.iscsi_get_error.restype = ctypes.c_char_p
lib.iscsi_get_error.argtypes = [ctypes.c_void_p]
lib.iscsi_logout_sync.argtypes = [ctypes.c_void_p]
lib.iscsi_destroy_context.argtypes = [ctypes.c_void_p]
lib.scsi_create_task.restype = ctypes.c_void_p
lib.scsi_create_task.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_int]
lib.scsi_free_scsi_task.argtypes = [ctypes.c_void_p]
lib.iscsi_scsi_command_sync.restype = ctypes.c_void_p
lib.iscsi_scsi_command_sync.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p,
                                        ctypes.c_void_p]


def field(task, offset, ctype):
    return ctype.from_address(task + offset).value


def error(iscsi):
    return lib.iscsi_get_error(iscsi).decode(errors="replace")


def command(iscsi, lun, cdb, xfer_dir, length):
    """Sends a CDB and returns (status, "K/AA/QQ" or "", Data-In), or raises with the error."""
    task = lib.scsi_create_task(len(cdb), cdb, xfer_dir, length)
    if not task:
        raise RuntimeError("scsi_create_task failed")
    try:
        if (field(task, CDB_SIZE, ctypes.c_int), field(task, XFER_DIR, ctypes.c_int),
                field(task, EXPXFERLEN, ctypes.c_int),
                ctypes.string_at(task + CDB, len(cdb))) != (len(cdb), xfer_dir, length, cdb):
            raise RuntimeError("struct scsi_task is not laid out as libiscsi 1.19's")
        if not lib.iscsi_scsi_command_sync(iscsi, lun, task, None):
            raise RuntimeError(error(iscsi))
        status = field(task, STATUS, ctypes.c_int)
        sense = ""
        if status == 2:  # CHECK CONDITION: libiscsi has parsed the sense data
            ascq = field(task, SENSE_ASCQ, ctypes.c_int)
            sense = "%x/%02x/%02x" % (field(task, SENSE_KEY, ctypes.c_int), ascq >> 8,
                                      ascq & 0xFF)
        size = field(task, DATAIN_SIZE, ctypes.c_int)
        data = field(task, DATAIN_DATA, ctypes.c_void_p)
        return status, sense, ctypes.string_at(data, size) if data and size > 0 else b""
    finally:
        lib.scsi_free_scsi_task(task)


def outcome(status, sense):
    return "good" if status == 0 else "status %d sense %s" % (status, sense or "none")


def test_unit_ready(iscsi, lun):
    status, sense, _ = command(iscsi, lun, bytes(6), SCSI_XFER_NONE, 0)
    return outcome(status, sense)


def report_target_port_groups(iscsi, lun):
    # MAINTENANCE IN, REPORT TARGET PORT GROUPS, length-only header format (SPC-4 6.36).
    length = 1024
    cdb = struct.pack(">BBIIBB", 0xA3, 0x0A, 0, length, 0, 0)
    status, sense, data = command(iscsi, lun, cdb, SCSI_XFER_READ, length)
    if status != 0:
        return outcome(status, sense)
    end = min(len(data), 4 + struct.unpack_from(">I", data, 0)[0])
    groups, at = [], 4
    while at + 8 <= end:
        state, group, altered, ports = data[at] & 0x0F, struct.unpack_from(">H", data, at + 2)[0], \
            data[at + 5], data[at + 7]
        groups.append("group %d %s%s" % (group, STATES.get(state, "state %x" % state),
                                         ALTERED.get(altered, "")))
        at += 8 + 4 * ports
    return ", ".join(groups)


def report_luns(iscsi):
    length = 4096
    cdb = struct.pack(">BBB3xIBB", 0xA0, 0, 0, length, 0, 0)
    status, sense, data = command(iscsi, 0, cdb, SCSI_XFER_READ, length)
    if status != 0:
        return outcome(status, sense)
    count = min(len(data) - 8, struct.unpack_from(">I", data, 0)[0]) // 8
    # Peripheral (00b) and flat (01b) addressing of single level LUNs (SAM-5 4.7).
    return " ".join(str(struct.unpack_from(">H", data, 8 + 8 * i)[0] & 0x3FFF)
                    for i in range(count))


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    portal, target, initiator, lun = sys.argv[1:]
    iscsi = lib.iscsi_create_context(initiator.encode())
    if not iscsi:
        sys.exit("iscsi_create_context failed")
    lib.iscsi_set_targetname(iscsi, target.encode())
    lib.iscsi_set_session_type(iscsi, ISCSI_SESSION_NORMAL)
    lib.iscsi_set_header_digest(iscsi, ISCSI_HEADER_DIGEST_NONE)
    lib.iscsi_set_timeout(iscsi, 60)
    if lib.iscsi_full_connect_sync(iscsi, portal.encode(), int(lun)) != 0:
        sys.exit("login failed: " + error(iscsi))
    print("logged in", flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            break
        try:
            if words[0] == "tur":
                answer = test_unit_ready(iscsi, int(words[1]))
            elif words[0] == "rtpg":
                answer = report_target_port_groups(iscsi, int(words[1]))
            elif words[0] == "luns":
                answer = report_luns(iscsi)
            else:
                answer = "error unknown command"
        except (RuntimeError, IndexError, ValueError) as e:
            answer = "error " + str(e)
        print(line.strip() + ": " + answer, flush=True)
    lib.iscsi_logout_sync(iscsi)
    lib.iscsi_destroy_context(iscsi)


if __name__ == "__main__":
    main()
