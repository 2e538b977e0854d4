/**
 * Sends one real-time message to one client connection (docs/realtime.md). In AWS: API Gateway's
 * @connections API (core/aws/api-gateway-connections.ts). `gone` means the client is no longer
 * connected, and its subscriptions can be dropped.
 */
export interface ConnectionSender {
  send(connectionId: string, message: unknown): Promise<'sent' | 'gone'>;
}
