/**
 * How the ClickHouse columns `kind` and `direction` encode their values (UInt8).
 */
export const kindCode = { http: 0, tcp: 1 } as const;
export const kindName = ['http', 'tcp'] as const;
export const directionCode = { inbound: 1, outbound: 2 } as const;
export const directionName = [null, 'inbound', 'outbound'] as const;
