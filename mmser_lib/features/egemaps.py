"""eGeMAPS functionals from openSMILE (Eyben et al. 2016): the field's standard 88 numbers."""

from __future__ import annotations

import numpy as np

_SMILE = None


def _smile():
    """One openSMILE extractor per process (building it parses the config)."""
    global _SMILE
    if _SMILE is None:
        import opensmile

        _SMILE = opensmile.Smile(feature_set=opensmile.FeatureSet.eGeMAPSv02,
                                 feature_level=opensmile.FeatureLevel.Functionals)
    return _SMILE


def egemaps_functionals(y: np.ndarray, sr: int) -> dict[str, float]:
    """The 88 eGeMAPS v02 functionals of one clip.

    Parameters
    ----------
    y : np.ndarray, shape (n_samples,), mono float.

    Returns
    -------
    dict of 88 floats named as openSMILE names them (``F0semitoneFrom27.5Hz_sma3nz_amean``, ...).
    """
    smile = _smile()
    values = smile(np.asarray(y, dtype=np.float32), sr)  # shape (1 channel, 88, 1); no DataFrame to build
    return dict(zip(smile.feature_names, values[0, :, 0].astype(float)))
