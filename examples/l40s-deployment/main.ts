import { App } from 'cdktf';
import { L40sDeploymentStack } from './stack';

const app = new App();
new L40sDeploymentStack(app, 'l40s-deployment');
app.synth();
