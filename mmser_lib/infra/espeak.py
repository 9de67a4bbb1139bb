"""Offline text-to-speech with eSpeak NG, for the synthetic corpus twins.

The ``espeakng-loader`` wheel ships the eSpeak NG shared library and its
voice data, so this needs no system package and no network. We call the C
API through ctypes (``speak_lib.h``): synchronous synthesis, samples handed
to a Python callback.
"""

from __future__ import annotations

import ctypes
import threading

import numpy as np

ESPEAK_SAMPLE_RATE = 22_050
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
# espeak_PARAMETER values from speak_lib.h
_RATE, _VOLUME, _PITCH, _RANGE, _WORDGAP = 1, 2, 3, 4, 7

_LIBC = ctypes.CDLL(None)  # the process's C library, whose rand() eSpeak NG calls
_LIBC.srand.argtypes = [ctypes.c_uint]

_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class Espeak:
    """One eSpeak NG engine (the library is a process-wide singleton).

    Examples
    --------
    >>> tts = Espeak()
    >>> audio = tts.speak("Kids are talking by the door", voice="en-us+m3", pitch=60)
    >>> audio.dtype, tts.sample_rate
    (dtype('float32'), 22050)
    """

    _lock = threading.Lock()
    _lib = None

    def __init__(self) -> None:
        with Espeak._lock:
            if Espeak._lib is None:
                Espeak._lib = _load_library()
        self._chunks: list[np.ndarray] = []
        self._callback = _CALLBACK(self._collect)  # keep a reference alive
        self.sample_rate = ESPEAK_SAMPLE_RATE

    def _collect(self, wav, n_samples, _events) -> int:
        if wav and n_samples > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(n_samples,)).copy())
        return 0

    def speak(
        self,
        text: str,
        voice: str = "en-us",
        rate: float = 175,
        pitch: float = 50,
        pitch_range: float = 50,
        volume: float = 100,
        word_gap: float = 0,
        seed: int = 0,
    ) -> np.ndarray:
        """Synthesize ``text``.

        Some voices (``+f2``, ``+f3``) add noise drawn from libc's ``rand()``
        and eSpeak's own generator, whose state depends on what ran before
        in the process; both are seeded with ``seed`` right before synthesis,
        so the same call gives the same samples.

        Parameters
        ----------
        text : str
        voice : str
            eSpeak voice and variant, e.g. ``"en-us+m3"`` or ``"en-us+f2"``.
        rate : float
            Words per minute (80-450).
        pitch, pitch_range : float
            Base pitch and pitch range, 0-100 (50 is the voice's default).
        volume : float
            0-200 (100 is normal).
        word_gap : float
            Extra pause between words, in units of 10 ms.
        seed : int
            Seed of the synthesiser's noise for this utterance.

        Returns
        -------
        np.ndarray, shape (n_samples,), float32 at :attr:`sample_rate` Hz
        """
        lib = Espeak._lib
        with Espeak._lock:
            self._chunks = []
            lib.espeak_SetSynthCallback(self._callback)
            if lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise ValueError(f"eSpeak NG has no voice {voice!r} (try 'en-us+m3' or 'en-us+f2')")
            settings = {
                _RATE: np.clip(rate, 80, 450),
                _VOLUME: np.clip(volume, 0, 200),
                _PITCH: np.clip(pitch, 0, 100),
                _RANGE: np.clip(pitch_range, 0, 100),
                _WORDGAP: max(word_gap, 0),
            }
            for parameter, value in settings.items():
                lib.espeak_SetParameter(parameter, int(round(value)), 0)
            _LIBC.srand(seed % 2**32)
            lib.espeak_ng_SetRandSeed(seed % 2**31)
            encoded = text.encode("utf-8")
            lib.espeak_Synth(encoded, len(encoded) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
            lib.espeak_Synchronize()
            chunks, self._chunks = self._chunks, []
        if not chunks:
            return np.zeros(0, dtype=np.float32)
        return np.concatenate(chunks).astype(np.float32) / 32768.0


def _load_library():
    try:
        import espeakng_loader
    except ImportError as err:  # pragma: no cover - dependency of the package
        raise ImportError(
            "Twins are spoken by eSpeak NG from the 'espeakng-loader' package: pip install espeakng-loader"
        ) from err
    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    lib.espeak_Synth.argtypes = [
        ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
        ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
    ]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
    lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
    rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), 0)
    if rate != ESPEAK_SAMPLE_RATE:
        raise RuntimeError(f"eSpeak NG failed to initialise (returned {rate})")
    return lib
