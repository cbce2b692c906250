// The CDK app entry (cdk.json runs it): `npx cdk synth [-c stage=prod]`, offline, env-agnostic.
import { createApp } from '../lib/stacks/app.js';

createApp().app.synth();
