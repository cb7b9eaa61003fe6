import { TerraformOutput, TerraformVariable, Testing } from 'cdktf';
import { ModelManifest, ModelSet, ModelVolume, VolumeType, recommendedVolumeSizeGb, runpod } from '../src';
import { annotations, newStack, onlyResource, synthJson } from './util';

describe('ModelVolume', () => {
  test('sizes the volume from the model set plus 20 % headroom', () => {
    const stack = newStack();
    const volume = new ModelVolume(stack, 'models', { dataCenter: 'EU-RO-1' });
    const json = synthJson(stack);
    const resource = onlyResource(json, 'runpod_network_volume');
    expect(resource).toEqual({ name: 'test-models-models', size: 40, data_center: 'EU-RO-1', type: 'STANDARD' });
    expect(volume.sizeGb).toBe(40);
    expect(recommendedVolumeSizeGb(ModelSet.BF16_LIGHTX2V)).toBe(115);
  });

  test('exposes the mount path, the model root, where each model lands and the manifest', () => {
    const stack = newStack();
    const volume = new ModelVolume(stack, 'models', { dataCenter: 'EU-RO-1', modelSet: ModelSet.BF16_LIGHTX2V, modelDirectory: 'talk' });
    expect(volume.mountPath).toBe('/runpod-volume');
    expect(volume.modelRoot).toBe('/runpod-volume/talk');
    expect(volume.modelPath('lightx2v-lora')).toBe('/runpod-volume/talk/WanVideo_comfy');
    expect(volume.manifest.sha256).toBe(ModelManifest.of(ModelSet.BF16_LIGHTX2V).sha256);
    new TerraformOutput(stack, 'id', { value: volume.volumeId });
    expect(synthJson(stack).output.id.value).toMatch(/^\$\{runpod_network_volume\.models_[0-9A-F]+\.id\}$/);
    expect(() => volume.modelPath('nope')).toThrow(/not in the bf16-lightx2v model set: use one of/);
  });

  test('takes a given size, tier and name', () => {
    const stack = newStack();
    new ModelVolume(stack, 'models', { dataCenter: 'US-KS-2', sizeGb: 200, volumeType: VolumeType.HIGH_PERFORMANCE, name: 'avatar-models' });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(runpod.networkVolume.NetworkVolume, {
      name: 'avatar-models',
      size: 200,
      data_center: 'US-KS-2',
      type: 'HIGH_PERFORMANCE',
    });
  });

  test('warns when the size leaves less than the recommended headroom', () => {
    const stack = newStack();
    const volume = new ModelVolume(stack, 'models', { dataCenter: 'EU-RO-1', sizeGb: 33 });
    expect(annotations(volume, 'warning').join('\n')).toMatch(/33 GB: the fp8 model set takes 32 GB .* 40 GB is recommended/);
  });

  test('fails when the size is below what the model set needs', () => {
    expect(() => new ModelVolume(newStack(), 'models', { dataCenter: 'EU-RO-1', sizeGb: 20 })).toThrow(
      '`sizeGb` is 20 but the fp8 model set needs 32 GB plus 20 % headroom (40 GB): raise it or leave it unset.',
    );
  });

  test('fails when the size is below 10 or above 4096 GB or not an integer', () => {
    expect(() => new ModelVolume(newStack(), 'a', { dataCenter: 'EU-RO-1', sizeGb: 5 })).toThrow(/`sizeGb` is 5 but must be an integer between 10 and 4096/);
    expect(() => new ModelVolume(newStack(), 'b', { dataCenter: 'EU-RO-1', sizeGb: 5000 })).toThrow(/`sizeGb` is 5000 but must be an integer between 10 and 4096/);
    expect(() => new ModelVolume(newStack(), 'c', { dataCenter: 'EU-RO-1', sizeGb: 50.5 })).toThrow(/`sizeGb` is 50.5/);
  });

  test('fails on an empty or malformed data centre', () => {
    expect(() => new ModelVolume(newStack(), 'a', { dataCenter: '' })).toThrow(/`dataCenter` is empty: give the RunPod data centre id/);
    expect(() => new ModelVolume(newStack(), 'b', { dataCenter: '  ' })).toThrow(/`dataCenter` is empty/);
    expect(() => new ModelVolume(newStack(), 'c', { dataCenter: 'eu-ro-1' })).toThrow(/"eu-ro-1" but RunPod data centre ids look like "EU-RO-1"/);
  });

  test('fails on a model directory that escapes the volume', () => {
    expect(() => new ModelVolume(newStack(), 'a', { dataCenter: 'EU-RO-1', modelDirectory: '../etc' })).toThrow(/`modelDirectory` is "..\/etc"/);
  });

  test('accepts an unresolved data centre (a Terraform variable) and checks it at deploy time', () => {
    const stack = newStack();
    const dc = new TerraformVariable(stack, 'dc', { type: 'string', default: 'EU-RO-1' });
    new ModelVolume(stack, 'models', { dataCenter: dc.stringValue });
    expect(onlyResource(synthJson(stack), 'runpod_network_volume').data_center).toBe('${var.dc}');
  });

  describe('fromVolumeAttributes', () => {
    test('shares an existing volume without creating one', () => {
      const stack = newStack();
      const shared = ModelVolume.fromVolumeAttributes(stack, 'shared', { volumeId: 'vol123', dataCenter: 'EU-RO-1', sizeGb: 50 });
      expect(shared.volumeId).toBe('vol123');
      expect(shared.modelRoot).toBe('/runpod-volume/infinitetalk');
      expect(shared.manifest.sha256).toBe(ModelManifest.of(ModelSet.FP8).sha256);
      expect(synthJson(stack).resource?.runpod_network_volume).toBeUndefined();
    });

    test('fails when the existing volume is too small for the model set', () => {
      expect(() =>
        ModelVolume.fromVolumeAttributes(newStack(), 'shared', { volumeId: 'vol123', dataCenter: 'EU-RO-1', sizeGb: 50, modelSet: ModelSet.BF16_LIGHTX2V }),
      ).toThrow(/`sizeGb` is 50 but the bf16-lightx2v model set needs 93.7 GB/);
    });

    test('fails without a volume id', () => {
      expect(() => ModelVolume.fromVolumeAttributes(newStack(), 'shared', { volumeId: '', dataCenter: 'EU-RO-1', sizeGb: 50 })).toThrow(/`volumeId` is empty/);
    });
  });

  test('snapshot', () => {
    const stack = newStack();
    new ModelVolume(stack, 'models', { dataCenter: 'EU-RO-1' });
    expect(Testing.synth(stack)).toMatchSnapshot();
  });
});
