/**
 * One secret's value (design §8, §12): Secrets Manager in AWS (core/aws/secrets-manager-store.ts),
 * a fake in tests. The first admin's credentials go through it; live deployments' brokerage
 * credentials will too.
 */
export interface SecretStore {
  /** The current value, or undefined when the secret holds none yet. */
  read(): Promise<string | undefined>;
  write(value: string): Promise<void>;
}
