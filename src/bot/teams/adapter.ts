/**
 * The Bot Framework side of the Teams channel: authentication from env and a CloudAdapter whose
 * turns are driven from fastify.
 *
 * Why not CloudAdapter.process(req, res): it answers 500 to every authentication failure that is
 * not the SDK's own AuthenticationError, and a token with a bad signature fails inside
 * jsonwebtoken, so a forged token would look like a server error. Here the request is
 * authenticated first (any failure: 401, nothing runs) and the authenticated result is handed to
 * the adapter's own pipeline (processActivity), which is what process() does after the same check.
 */
import {
  ActivityTypes,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type Activity,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type ConversationReference,
  type TurnContext,
  CallerIdConstants,
} from 'botbuilder';

type BotFrameworkAuthentication = ConfigurationBotFrameworkAuthentication;
type ServiceClientCredentialsFactory = NonNullable<ConstructorParameters<typeof ConfigurationBotFrameworkAuthentication>[1]>;

/** The public cloud's values (botframework-connector AuthenticationConstants, not re-exported by botbuilder). */
const PUBLIC_CLOUD = {
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
  OAuthUrl: 'https://api.botframework.com',
  ToBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
  ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
} as const;

export interface TeamsAuthSettings {
  appId?: string;
  appPassword?: string;
  appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
  tenantId?: string;
  /** Where the channel's signing keys are published (default: the Bot Framework's). */
  openIdMetadataUrl?: string;
  /** The `iss` a channel token must carry (default https://api.botframework.com). */
  tokenIssuer?: string;
  /** Outbound tokens (tests pass one that talks to a local token endpoint). */
  credentialsFactory?: ServiceClientCredentialsFactory;
}

export function createBotAuthentication(s: TeamsAuthSettings): BotFrameworkAuthentication {
  const options: ConfigurationBotFrameworkAuthenticationOptions = {
    MicrosoftAppId: s.appId ?? '',
    MicrosoftAppPassword: s.appPassword ?? '',
    MicrosoftAppType: s.appType,
    MicrosoftAppTenantId: s.tenantId ?? '',
  };
  if (s.openIdMetadataUrl || s.tokenIssuer) {
    // One override switches the SDK to "every parameter given": the rest keep the public cloud's values.
    Object.assign(options, {
      ...PUBLIC_CLOUD,
      ToBotFromChannelTokenIssuer: s.tokenIssuer ?? PUBLIC_CLOUD.ToBotFromChannelTokenIssuer,
      ToBotFromChannelOpenIdMetadataUrl: s.openIdMetadataUrl ?? PUBLIC_CLOUD.ToBotFromChannelOpenIdMetadataUrl,
      // Emulator-shaped tokens are checked against the same keys, never fetched from elsewhere.
      ToBotFromEmulatorOpenIdMetadataUrl: s.openIdMetadataUrl ?? PUBLIC_CLOUD.ToBotFromEmulatorOpenIdMetadataUrl,
      CallerId: CallerIdConstants.PublicAzureChannel,
      ValidateAuthority: true,
    });
  }
  const credentials = s.credentialsFactory ?? new ConfigurationServiceClientCredentialFactory(options);
  return new ConfigurationBotFrameworkAuthentication(options, credentials);
}

export interface TurnResponse {
  status: number;
  body?: unknown;
}

export type TurnLogic = (context: TurnContext) => Promise<void>;

export class SwitchboardAdapter extends CloudAdapter {
  constructor(
    private readonly auth: BotFrameworkAuthentication,
    readonly appId: string,
  ) {
    super(auth);
    this.onTurnError = async (context, error) => {
      console.error('[teams] turn failed:', error instanceof Error ? error.message : error);
      // An invoke must still be answered, or Teams shows "Unable to reach app".
      if (context.activity.type === ActivityTypes.Invoke) {
        if (!context.turnState.get(INVOKE_ANSWERED)) {
          await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 500, body: { error: 'internal error' } } });
        }
        return;
      }
      // Anything else (e.g. the inbox could not store a message): a 5xx, so the channel redelivers.
      throw error;
    };
  }

  /**
   * One inbound activity: 401 when the token does not check out, then `check` (an answer such
   * as a 400 for an activity the turn cannot use, only for callers who authenticated), otherwise
   * the turn's answer.
   */
  async handle(activity: Activity, authHeader: string, logic: TurnLogic, check?: (activity: Activity) => Promise<TurnResponse | undefined>): Promise<TurnResponse> {
    let authenticated;
    try {
      authenticated = await this.auth.authenticateRequest(activity, authHeader);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // The signing keys could not be fetched: our trouble, and the channel retries a 5xx.
      const status = (err as { statusCode?: number }).statusCode;
      if (status !== undefined && status >= 500) return { status: 503, body: { error: `cannot check tokens right now: ${message}` } };
      return { status: 401, body: { error: `unauthorized: ${message}` } };
    }
    const refused = await check?.(activity);
    if (refused) return refused;
    const invoke = await this.processActivity(authenticated, activity, async (context) => {
      await logic(context);
    });
    return invoke ? { status: invoke.status, body: invoke.body } : { status: 200 };
  }

  /** Run `logic` in a stored conversation (proactive send, update, typing). */
  continueIn(reference: Partial<ConversationReference>, logic: TurnLogic): Promise<void> {
    return this.continueConversationAsync(this.appId, reference, async (context) => {
      // The SDK would send "a reply to" its made-up continuation activity id; a proactive message
      // is a new message in the conversation (POST /v3/conversations/{id}/activities).
      context.onSendActivities(async (_ctx, activities, next) => {
        for (const a of activities) delete a.replyToId;
        return next();
      });
      await logic(context);
    });
  }
}

/** Set on the turn state once the logic has answered an invoke. */
export const INVOKE_ANSWERED = Symbol('invokeAnswered');
