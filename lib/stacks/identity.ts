import { Duration, Lazy, Validations } from 'aws-cdk-lib';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolDomain,
  type UserPoolGroup,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { ROLE_ZH, ROLES, type Role } from '../core/cases/roles.js';
import { dataRemovalPolicy, type Stage } from './stage.js';

export interface IdentityProps {
  readonly stage: Stage;
  /** The hosted UI's domain prefix (`<prefix>.auth.<region>.amazoncognito.com`): unique in the region. */
  readonly domainPrefix: string;
  /**
   * Where the dashboard may send people back after sign-in and sign-out, beside the URLs added
   * with allowCallback. @default the dashboard's local development server, http://localhost:5173/
   */
  readonly callbackUrls?: readonly string[];
}

/**
 * Who people are in the cloud: a Cognito user pool (no self sign-up: an administrator invites each
 * person; a strong password policy; TOTP multi-factor authentication, required in production; the
 * Plus feature plan's threat protection, enforced in production), one group per role of
 * lib/core/cases/roles.ts, the dashboard's app client (authorization code grant with PKCE, no client
 * secret: a browser cannot keep one), the hosted sign-in UI, and the JWT authorizer the API's human
 * routes use. The handlers read the caller from the claims the authorizer verified
 * (lib/adapters/http/caller.ts); `cognito:groups` are the roles.
 */
export class Identity extends Construct {
  readonly userPool: UserPool;
  readonly dashboardClient: UserPoolClient;
  readonly domain: UserPoolDomain;
  readonly hostedUiBaseUrl: string;
  readonly authorizer: HttpUserPoolAuthorizer;
  readonly groups: Readonly<Record<Role, UserPoolGroup>>;
  private readonly callbackUrls: string[];

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    const production = props.stage.production;
    this.callbackUrls = [...(props.callbackUrls ?? ['http://localhost:5173/'])];

    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: production ? Mfa.REQUIRED : Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: production
        ? StandardThreatProtectionMode.FULL_FUNCTION
        : StandardThreatProtectionMode.AUDIT_ONLY,
      deletionProtection: production,
      removalPolicy: dataRemovalPolicy(props.stage),
    });
    if (!production) {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG2',
        reason:
          'Outside production MFA is optional (TOTP) so that test users of a development stage can be made by ' +
          'script; the production stage requires it (Mfa.REQUIRED), where approvals of journal entries happen.',
      });
    }

    this.groups = Object.fromEntries(
      ROLES.map((role) => [
        role,
        this.userPool.addGroup(`Group-${role}`, {
          groupName: role,
          description: `Stocktally ${role} (${ROLE_ZH[role]})`,
        }),
      ]),
    ) as Record<Role, UserPoolGroup>;

    const urls = Lazy.list({ produce: () => [...new Set(this.callbackUrls)] });
    this.dashboardClient = this.userPool.addClient('Dashboard', {
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: urls,
        logoutUrls: urls,
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });

    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: props.domainPrefix } });
    this.hostedUiBaseUrl = this.domain.baseUrl();

    this.authorizer = new HttpUserPoolAuthorizer('UserPoolAuthorizer', this.userPool, {
      userPoolClients: [this.dashboardClient],
      identitySource: ['$request.header.Authorization'],
    });
  }

  /** Lets the dashboard at `url` (its CloudFront URL) send people back there after sign-in and sign-out. */
  allowCallback(url: string): void {
    this.callbackUrls.push(url);
  }
}
