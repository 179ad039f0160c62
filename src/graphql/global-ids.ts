// Global IDs are base64 of `Typename:uuid`. One that is malformed (not base64, no type name, an
// id that is not a UUID) or names another type than the argument takes names nothing we have:
// it is a NotFoundError, never a validation failure with a stack trace, and it never reaches the
// database. A mutation that lists NotFoundError returns it as its result (the builder's
// `unsafelyHandleInputErrors`); elsewhere it is an error with code NOT_FOUND.
import SchemaBuilder, {
  BasePlugin,
  createInputValueMapper,
  mapInputFields,
  type PothosOutputFieldConfig,
  type SchemaTypes,
} from "@pothos/core";
import { decodeGlobalID } from "@pothos/plugin-relay";
import { NotFoundError } from "../ledger/index.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The type name a malformed global ID decodes to: no type has it. */
export const MALFORMED_TYPENAME = "";

/** Relay's decoding, except that a malformed ID decodes to MALFORMED_TYPENAME instead of throwing. */
export function decodeGlobalIdLeniently(globalID: string): { typename: string; id: string } {
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
      if (!mapping.value?.includes(decodeGlobalIdLeniently(globalID).typename))
        throw globalIdNotFound(mapping.value?.[0] ?? "Node", globalID);
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
