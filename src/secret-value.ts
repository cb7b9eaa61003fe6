import { Token, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { runpodSecretReference } from './runner/worker-contract';
import { requireRunpodSecretName } from './validation';

/**
 * A secret the worker receives by environment, never written as a literal into the synthesized JSON:
 * a RunPod secret reference (expanded by RunPod, kept out of Terraform state) or a sensitive
 * Terraform value.
 */
export class SecretValue {
  /**
   * A secret stored in the RunPod console, referenced as `{{ RUNPOD_SECRET_<name> }}`; only the
   * reference reaches Terraform state.
   */
  public static runpodSecret(name: string): SecretValue {
    requireRunpodSecretName('name', name);
    return new SecretValue(runpodSecretReference(name));
  }

  /** A new sensitive Terraform variable; set it with `TF_VAR_<name>` when deploying. */
  public static terraformVariable(scope: Construct, id: string, description?: string): SecretValue {
    const variable = new TerraformVariable(scope, id, { type: 'string', sensitive: true, description });
    return new SecretValue(variable.stringValue);
  }

  /**
   * An already-sensitive token (a sensitive variable, another resource's sensitive attribute).
   * A plain string is refused: it would land in the synthesized JSON.
   */
  public static fromToken(token: string): SecretValue {
    if (!Token.isUnresolved(token)) {
      throw new Error(
        'a secret was passed as a plain string, which would be written into cdk.tf.json: use SecretValue.runpodSecret("<name>") or SecretValue.terraformVariable(...) instead.',
      );
    }
    return new SecretValue(token);
  }

  private constructor(
    /** The value placed in the environment: a RunPod secret reference or a Terraform token. */
    public readonly value: string,
  ) {}
}
