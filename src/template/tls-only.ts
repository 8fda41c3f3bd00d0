// The statement every resource policy batchform writes ends with: nobody may use plain HTTP.

/** Denies `action` on `resource` to any principal over a connection without TLS. */
export function tlsOnly(action: string, resource: unknown): Record<string, unknown> {
  return {
    Sid: 'TlsOnly',
    Effect: 'Deny',
    Principal: '*',
    Action: action,
    Resource: resource,
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}
