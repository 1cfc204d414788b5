"""Randomly initialised Coqui VITS models, saved as model.pth + config.json (the
layout ``--voice FOLDER`` loads), for the tests and bench/speak_coqui.py.
Random weights speak noise, but do the same work per sentence as a trained
model of the same shape; nothing is downloaded."""
from __future__ import annotations

from pathlib import Path


def build_random_vits(folder: Path, size: str = "tiny", *, use_sdp: bool = False,
                      quiet: bool = False, seed: int = 0) -> Path:
    """``tiny``: 0.4 M parameters; ``full``: Coqui's default VITS shape (~36 M,
    like tts_models/en/ljspeech/vits). ``quiet``: no sampling noise, so the same
    text always gives the same samples."""
    import torch
    from TTS.tts.configs.vits_config import VitsArgs, VitsConfig
    from TTS.tts.models.vits import Vits

    torch.manual_seed(seed)
    extra = {"inference_noise_scale": 0.0, "inference_noise_scale_dp": 0.0} if quiet else {}
    if size == "tiny":
        args = VitsArgs(hidden_channels=32, hidden_channels_ffn_text_encoder=64,
                        num_heads_text_encoder=2, num_layers_text_encoder=2,
                        num_layers_posterior_encoder=2, num_layers_flow=2,
                        resblock_type_decoder="2", resblock_kernel_sizes_decoder=[3],
                        resblock_dilation_sizes_decoder=[[1, 3]],
                        upsample_initial_channel_decoder=32, use_sdp=use_sdp,
                        init_discriminator=False, **extra)
    else:
        args = VitsArgs(init_discriminator=False, **extra)
    config = VitsConfig(model_args=args, text_cleaner="english_cleaners", use_phonemes=False,
                        add_blank=True)
    config.audio.sample_rate = 22050
    model = Vits(config)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    torch.save({"model": model.state_dict(), "config": model.config.to_dict()},
               folder / "model.pth")
    model.config.save_json(str(folder / "config.json"))
    return folder
