import { Testing, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { runpod } from '../src';

/** A fresh stack with the RunPod provider configured as users configure it (key from the environment). */
export function newStack(id = 'test'): TerraformStack {
  const app = Testing.app();
  const stack = new TerraformStack(app, id);
  new runpod.provider.RunpodProvider(stack, 'runpod', {});
  return stack;
}

/** Synthesized JSON of a stack as an object. */
export function synthJson(stack: TerraformStack): any {
  return JSON.parse(Testing.synth(stack));
}

/** The only resource of `type` in synthesized JSON (fails when there are none or several). */
export function onlyResource(json: any, type: string): any {
  const all = Object.values(json.resource?.[type] ?? {});
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0];
}

/** All resources of `type`. */
export function resources(json: any, type: string): any[] {
  return Object.values(json.resource?.[type] ?? {});
}

/** Error and warning annotations collected on a construct tree. */
export function annotations(scope: Construct, level: 'warning' | 'error'): string[] {
  const wanted = level === 'warning' ? '@cdktf/warn' : '@cdktf/error';
  return scope.node
    .findAll()
    .flatMap((c) => c.node.metadata)
    .filter((m) => m.type === wanted)
    .map((m) => String(m.data));
}

