// One id per object: a node's GraphQL `id` is its UUID, the same id that event and webhook
// payloads, REST answers, error messages, the CLI and the console carry. UUIDs are opaque and
// globally unique, all Relay asks of an id. The older form, base64 of `Typename:uuid`, is still
// accepted wherever an id is taken, for clients that stored it.
//
// An argument that names its type (`t.globalID({ for: [WalletRef] })`) reads a bare UUID as that
// type; node(id:) and nodes(ids:) look the type up (nodes.ts). An id that is malformed (neither a
// UUID nor base64 of a type name and a UUID) or names another type than the argument takes names
// nothing we have: it is a NotFoundError, never a validation failure with a stack trace, and it
// never reaches the database. A mutation that lists NotFoundError returns it as its result (the
// builder's `unsafelyHandleInputErrors`); elsewhere it is an error with code NOT_FOUND.
import SchemaBuilder, {
  BasePlugin,
  createInputValueMapper,
  mapInputFields,
  type PothosOutputFieldConfig,
  type SchemaTypes,
} from "@pothos/core";
import { decodeGlobalID, encodeGlobalID } from "@pothos/plugin-relay";
import { NotFoundError } from "../ledger/index.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The type name a malformed global ID decodes to: no type has it. */
export const MALFORMED_TYPENAME = "";

/** The type name a bare UUID decodes to before its type is known (from the argument, or looked up). */
export const UNTYPED_TYPENAME = "*";

/** What every node's `id` field says of itself. */
export const NODE_ID_DESCRIPTION = "The object's UUID: the same id its events, webhooks, REST answers, error messages and the CLI carry.";

/** What fields that take ids say of them. */
export const ID_INPUT_DESCRIPTION =
  "Takes the UUID every id field answers; the older base64 `Typename:uuid` global ids are still accepted.";

/** A node's id on the wire: its UUID, whatever its type. */
export function encodeNodeId(_typename: string, id: bigint | number | string): string {
  return String(id);
}

/**
 * Decodes a bare UUID (to UNTYPED_TYPENAME) or the older base64 `Typename:uuid`; a malformed ID
 * decodes to MALFORMED_TYPENAME instead of throwing.
 */
export function decodeGlobalIdLeniently(globalID: string): { typename: string; id: string } {
  if (UUID.test(globalID)) return { typename: UNTYPED_TYPENAME, id: globalID.toLowerCase() };
  try {
    const decoded = decodeGlobalID(globalID);
    if (UUID.test(decoded.id)) return decoded;
  } catch {
    // malformed: answered below
  }
  return { typename: MALFORMED_TYPENAME, id: globalID };
}

/** Not found, naming the ID as given (shortened: it is the caller's input, of any length). */
export function globalIdNotFound(resource: string, globalID: string): NotFoundError {
  return new NotFoundError(resource, globalID.length > 100 ? `${globalID.slice(0, 100)}…` : globalID);
}

/**
 * Checks every global ID argument that names its types (`t.globalID({ for: [WalletRef] })`)
 * before Relay's own mapping, which would throw a bare validation error for these.
 */
export class GlobalIdNotFoundPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  private readonly mappingCache = new Map();

  override onOutputFieldConfig(fieldConfig: PothosOutputFieldConfig<Types>): PothosOutputFieldConfig<Types> {
    const mappings = mapInputFields(
      fieldConfig.args,
      this.buildCache,
      (inputField) => {
        const types = inputField.extensions?.relayGlobalIDFor as { typename: string }[] | undefined;
        return inputField.extensions?.isRelayGlobalID && types?.length ? types.map(({ typename }) => typename) : null;
      },
      this.mappingCache,
    );
    if (!mappings) return fieldConfig;
    const check = createInputValueMapper(mappings, (value, mapping) => {
      const globalID = String(value);
      const { typename, id } = decodeGlobalIdLeniently(globalID);
      // A bare UUID is of the type the argument takes: Relay's mapping, next, reads it in the older form.
      if (typename === UNTYPED_TYPENAME && mapping.value?.length) return encodeGlobalID(mapping.value[0]!, id);
      if (!mapping.value?.includes(typename)) throw globalIdNotFound(mapping.value?.[0] ?? "Node", globalID);
      return value;
    });
    return { ...fieldConfig, argMappers: [(args) => check(args), ...fieldConfig.argMappers] };
  }
}

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      globalIdNotFound: GlobalIdNotFoundPlugin<Types>;
    }
  }
}

SchemaBuilder.registerPlugin("globalIdNotFound", GlobalIdNotFoundPlugin);
