"""Job input limits that keep a job inside the execution timeout the endpoint was sized for."""

from __future__ import annotations

import pytest

from avatar_worker.errors import InputInvalid
from avatar_worker.job_input import parse_job_input
from avatar_worker.preset import DEFAULT_PRESET_DOCUMENT, Preset

CFG1_FOUR_STEPS = Preset.from_document({**DEFAULT_PRESET_DOCUMENT, "sampleSteps": 4, "maxStepsAllowed": 4, "textGuideScale": 1.0})
MEDIA = {"image_base64": "aW1n", "audio_base64": "YXVkaW8="}


def test_a_job_may_ask_for_fewer_steps_than_the_preset_but_not_more() -> None:
    assert parse_job_input({**MEDIA, "steps": 2}, CFG1_FOUR_STEPS, 10).steps == 2
    assert parse_job_input(MEDIA, CFG1_FOUR_STEPS, 10).steps == 4
    with pytest.raises(InputInvalid, match=r"`steps` is 5; expected 1\.\.4"):
        parse_job_input({**MEDIA, "steps": 5}, CFG1_FOUR_STEPS, 10)


def test_a_job_may_not_add_a_dit_pass_the_preset_leaves_out() -> None:
    assert parse_job_input({**MEDIA, "text_guidance": 1}, CFG1_FOUR_STEPS, 10).text_guidance == 1.0
    with pytest.raises(InputInvalid, match="cost 3 DiT passes per step, but this endpoint's preset 'upstream-40step' runs 2"):
        parse_job_input({**MEDIA, "text_guidance": 5}, CFG1_FOUR_STEPS, 10)
    # Audio guidance 1 saves a pass, so text guidance may spend it.
    assert parse_job_input({**MEDIA, "text_guidance": 5, "audio_guidance": 1}, CFG1_FOUR_STEPS, 10).audio_guidance == 1.0
    # A preset with text guidance runs three passes anyway: a job may turn the text guidance down or up.
    full = Preset.from_document(DEFAULT_PRESET_DOCUMENT)
    assert parse_job_input({**MEDIA, "text_guidance": 1}, full, 10).text_guidance == 1.0
    assert parse_job_input({**MEDIA, "text_guidance": 7.5}, full, 10).text_guidance == 7.5
