"""A small helper process that speaks sentences with libespeak-ng at library speed.

Run by plugins/espeak.py as ``python -I -S espeak_zygote.py LIBRARY VOICE RATE
VOLUME PITCH WORDGAP`` (standard library only, so it stays tiny). It loads the
library and the voice once, then for every request forks a child that speaks
the sentence from that freshly loaded state and exits.

Why fork: libespeak-ng keeps state between calls (the wave generator's phase
and flutter counters are C statics), so the same sentence spoken twice in one
process comes out a little different. The child of a fork starts from exactly
the state the ``espeak-ng`` program starts from, so every sentence is the same
audio as ``espeak-ng -z`` gives, whatever was spoken before it, at a fraction
of the cost of starting the program (no exec, no loading of the voice data).

Protocol (binary, on stdin/stdout):
  start:    helper writes ``READY <sample rate> <version>\\n`` (or ``ERROR <msg>\\n``)
  request:  4-byte little-endian length + UTF-8 text
  reply:    ``A`` + 4-byte length + 16-bit little-endian PCM, or
            ``E`` + 4-byte length + UTF-8 message
EOF on stdin ends the helper.
"""
import ctypes
import os
import struct
import sys

AUDIO_OUTPUT_SYNCHRONOUS = 2
espeakRATE, espeakVOLUME, espeakPITCH, espeakWORDGAP = 1, 2, 3, 7
espeakCHARS_UTF8 = 1
espeakPHONEMES = 0x100        # [[phonemes]] in text, as the espeak-ng program allows
POS_CHARACTER = 1


def read_exact(fd, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = os.read(fd, n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def main():
    libpath, voice = sys.argv[1], sys.argv[2]
    rate, volume, pitch, wordgap = (int(x) for x in sys.argv[3:7])
    out = sys.stdout.fileno()
    inp = sys.stdin.fileno()
    try:
        lib = ctypes.CDLL(libpath)
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Info.argtypes = [ctypes.c_void_p]
        lib.espeak_Info.restype = ctypes.c_char_p
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                     ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p,
                                     ctypes.c_void_p]
        sample_rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, None, 0)
        if sample_rate <= 0:
            raise RuntimeError("espeak_Initialize failed")
        version = (lib.espeak_Info(None) or b"unknown").decode("ascii", "replace")
        if lib.espeak_SetVoiceByName(voice.encode("utf-8")) != 0:
            raise RuntimeError(f"no voice {voice!r}")
        for param, value in ((espeakRATE, rate), (espeakVOLUME, volume), (espeakPITCH, pitch),
                             (espeakWORDGAP, wordgap)):
            if lib.espeak_SetParameter(param, value, 0) != 0:
                raise RuntimeError(f"cannot set parameter {param}={value}")
    except Exception as exc:  # reported to the parent, which falls back to the program
        write_all(out, f"ERROR {type(exc).__name__}: {exc}".replace("\n", " ").encode() + b"\n")
        return 1
    chunks = []
    callback_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                                     ctypes.c_void_p)

    def collect(wav, n, _events):
        if n > 0 and wav:
            chunks.append(ctypes.string_at(wav, 2 * n))
        return 0

    callback = callback_type(collect)
    lib.espeak_SetSynthCallback(callback)
    write_all(out, f"READY {sample_rate} {version}\n".encode())

    while True:
        head = read_exact(inp, 4)
        if head is None:
            return 0
        text = read_exact(inp, struct.unpack("<I", head)[0])
        if text is None:
            return 0
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:                      # the child: speak from the pristine state
            status = 0
            try:
                os.close(r)
                data = text.replace(b"\0", b" ") + b"\0"
                err = lib.espeak_Synth(data, len(data), 0, POS_CHARACTER, 0,
                                       espeakCHARS_UTF8 | espeakPHONEMES, None, None)
                if err != 0:
                    write_all(w, f"espeak_Synth returned {err}".encode())
                    status = 2
                else:
                    write_all(w, b"".join(chunks))
            except BaseException:
                status = 3
            os._exit(status)
        os.close(w)
        parts = []
        while True:
            chunk = os.read(r, 1 << 20)
            if not chunk:
                break
            parts.append(chunk)
        os.close(r)
        _, status = os.waitpid(pid, 0)
        body = b"".join(parts)
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
            write_all(out, b"A" + struct.pack("<I", len(body)) + body)
        else:
            how = (f"exit {os.WEXITSTATUS(status)}" if os.WIFEXITED(status)
                   else f"signal {os.WTERMSIG(status)}")
            msg = (body.decode("utf-8", "replace") if os.WIFEXITED(status) and body
                   else f"the speaking process ended with {how}")
            msg = msg.encode("utf-8")
            write_all(out, b"E" + struct.pack("<I", len(msg)) + msg)


if __name__ == "__main__":
    sys.exit(main())
