import { App } from 'cdktf';
import { L40sDeploymentStack } from './stack';

// Synthesis needs no credentials. Set AVATAR_IMAGE to a prebuilt `repository@sha256:…` to skip the
// image build, or AVATAR_IMAGE_REPOSITORY to the repository the built image is pushed to.
const app = new App();
new L40sDeploymentStack(app, 'l40s-deployment', {
  prebuiltImage: process.env.AVATAR_IMAGE || undefined,
  imageRepository: process.env.AVATAR_IMAGE_REPOSITORY || undefined,
  defaultDataCenter: process.env.AVATAR_DATA_CENTER || undefined,
  s3Delivery: process.env.AVATAR_S3_DELIVERY === 'true',
});
app.synth();
