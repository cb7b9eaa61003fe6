import { TerraformVariable } from 'cdktf';
import { AvatarServerlessEndpoint, InfiniteTalkImage, ModelSet, ModelVolume, OutputBucket, SecretValue } from '../src';
import { checkWithTerraform } from './terraform/lane';
import { newStack, onlyResource, synthJson } from './util';

const keys = { accessKeyId: SecretValue.runpodSecret('s3_access_key'), secretAccessKey: SecretValue.runpodSecret('s3_secret_key') };
const props = { endpointUrl: 'https://acct.r2.cloudflarestorage.com', bucketName: 'avatar-videos', ...keys };

describe('OutputBucket', () => {
  describe('s3Compatible', () => {
    test('renders the BUCKET_* variables, keys as references only', () => {
      expect(OutputBucket.s3Compatible({ ...props, region: 'eu-central-1', keyPrefix: 'videos/avatar/' })._environment()).toEqual({
        BUCKET_ENDPOINT_URL: 'https://acct.r2.cloudflarestorage.com',
        BUCKET_NAME: 'avatar-videos',
        BUCKET_REGION: 'eu-central-1',
        BUCKET_ACCESS_KEY_ID: '{{ RUNPOD_SECRET_s3_access_key }}',
        BUCKET_SECRET_ACCESS_KEY: '{{ RUNPOD_SECRET_s3_secret_key }}',
        BUCKET_KEY_PREFIX: 'videos/avatar/',
        BUCKET_PRESIGNED_URLS: 'true',
      });
    });

    test.each([
      ['http://s3.example.com', /must use https/],
      ['s3api-eu-ro-1.runpod.io', /not a URL/],
      ['https://user:pass@s3.example.com', /no credentials/],
      ['https://s3.example.com/?x=1', /no credentials, query or fragment/],
      ['https://localhost:9000', /loopback, link-local or private/],
      ['https://minio.localhost', /loopback, link-local or private/],
      ['https://127.0.0.1:9000', /loopback/],
      ['https://10.1.2.3', /private/],
      ['https://172.20.0.5', /private/],
      ['https://192.168.1.10', /private/],
      ['https://169.254.169.254', /link-local/],
      ['https://100.64.0.1', /private/],
      ['https://0.0.0.0', /private/],
      ['https://[::1]', /loopback/],
      ['https://[fe80::1]', /link-local/],
      ['https://[fd12::1]', /private/],
      ['https://[::ffff:10.0.0.1]', /private/],
    ])('fails when endpointUrl is %s', (endpointUrl, message) => {
      expect(() => OutputBucket.s3Compatible({ ...props, endpointUrl })).toThrow(message);
    });

    test.each(['https://s3.eu-central-1.amazonaws.com', 'https://8.8.8.8', 'https://[2606:4700::1111]', 'https://s3api-eu-ro-1.runpod.io/'])('accepts the public endpoint %s', (endpointUrl) => {
      expect(OutputBucket.s3Compatible({ ...props, endpointUrl }).endpointUrl).toBe(endpointUrl);
    });

    test.each([
      ['ab', /3 to 63 characters/],
      ['a'.repeat(64), /3 to 63 characters/],
      ['Avatar-Videos', /lower-case letters/],
      ['-videos', /starting and ending with a letter or digit/],
      ['videos-', /starting and ending/],
      ['my_videos', /lower-case letters, digits, dots and dashes/],
      ['my..videos', /no two adjacent dots/],
      ['192.168.5.4', /not an IP address/],
      ['xn--videos', /reserves/],
      ['videos-s3alias', /reserves/],
    ])('fails when bucketName is %s', (bucketName, message) => {
      expect(() => OutputBucket.s3Compatible({ ...props, bucketName })).toThrow(message);
    });

    test.each(['abc', 'a'.repeat(63), 'my.videos-2026'])('accepts the bucket name %s', (bucketName) => {
      expect(OutputBucket.s3Compatible({ ...props, bucketName }).bucketName).toBe(bucketName);
    });

    test.each(['/videos/', '../videos/', 'videos/../x/', 'a//b/', './x', 'with space/', 'back\\slash/', 'é/', 'x'.repeat(513)])('fails when keyPrefix is %s', (keyPrefix) => {
      expect(() => OutputBucket.s3Compatible({ ...props, keyPrefix })).toThrow(/`keyPrefix` is .* but must be a relative key prefix/);
    });

    test.each(['', 'videos/', 'videos', 'a/b/c/', 'x'.repeat(512)])('accepts the key prefix "%s"', (keyPrefix) => {
      expect(OutputBucket.s3Compatible({ ...props, keyPrefix }).keyPrefix).toBe(keyPrefix);
    });

    test('fails on a malformed region; tokens skip every check', () => {
      expect(() => OutputBucket.s3Compatible({ ...props, region: 'eu central' })).toThrow(/`region` is "eu central"/);
      const stack = newStack();
      const token = new TerraformVariable(stack, 'endpoint', { type: 'string' }).stringValue;
      expect(OutputBucket.s3Compatible({ ...props, endpointUrl: token, bucketName: token }).bucketName).toBe(token);
    });
  });

  describe('runpodVolume', () => {
    test('uses the volume id as bucket, its data centre as region and that data centre\'s S3 endpoint', () => {
      const stack = newStack();
      const volume = ModelVolume.fromVolumeAttributes(stack, 'v', { volumeId: 'esn4slc1dk', dataCenter: 'EUR-IS-1', sizeGb: 40 });
      const bucket = OutputBucket.runpodVolume(volume, keys);
      expect(bucket._environment()).toMatchObject({
        BUCKET_ENDPOINT_URL: 'https://s3api-eur-is-1.runpod.io',
        BUCKET_NAME: 'esn4slc1dk',
        BUCKET_REGION: 'EUR-IS-1',
        BUCKET_PRESIGNED_URLS: 'false',
      });
      expect(bucket._notes.join('\n')).toMatch(/videos go to the model volume esn4slc1dk under "avatar-videos\/" and take its space \(40 GB for a 32 GB model set\)/);
      expect(bucket._warnings).toEqual([]);
    });

    test('a data centre given as a Terraform variable gives an endpoint Terraform lower-cases', () => {
      const stack = newStack();
      const dc = new TerraformVariable(stack, 'dc', { type: 'string', default: 'EU-RO-1' }).stringValue;
      const volume = new ModelVolume(stack, 'models', { dataCenter: dc, modelSet: ModelSet.FP8 });
      const image = InfiniteTalkImage.fromRegistry(stack, 'image', `docker.io/acme/worker@sha256:${'a'.repeat(64)}`);
      new AvatarServerlessEndpoint(stack, 'avatar', { volume, image, outputBucket: OutputBucket.runpodVolume(volume, keys) });
      expect(onlyResource(synthJson(stack), 'runpod_serverless_endpoint').env).toMatchObject({
        BUCKET_ENDPOINT_URL: 'https://s3api-${lower(var.dc)}.runpod.io',
        BUCKET_REGION: '${var.dc}',
      });
      checkWithTerraform(stack, { plan: true });
    });

    test('warns for a data centre RunPod does not list for its S3 API', () => {
      const stack = newStack();
      const volume = ModelVolume.fromVolumeAttributes(stack, 'v', { volumeId: 'vol1', dataCenter: 'US-TX-3', sizeGb: 40 });
      expect(OutputBucket.runpodVolume(volume, keys)._warnings.join('\n')).toMatch(/RunPod documents its S3 API for .*, not US-TX-3/);
    });

    test('fails when the key prefix lies inside the model directory', () => {
      const stack = newStack();
      const volume = ModelVolume.fromVolumeAttributes(stack, 'v', { volumeId: 'vol1', dataCenter: 'EU-RO-1', sizeGb: 40 });
      expect(() => OutputBucket.runpodVolume(volume, { ...keys, keyPrefix: 'infinitetalk/videos/' })).toThrow(/inside the model directory "infinitetalk"/);
      expect(() => OutputBucket.runpodVolume(volume, { ...keys, keyPrefix: 'infinitetalk' })).toThrow(/inside the model directory/);
      expect(OutputBucket.runpodVolume(volume, { ...keys, keyPrefix: 'infinitetalk-videos/' }).keyPrefix).toBe('infinitetalk-videos/');
    });
  });
});
