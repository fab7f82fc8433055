// RecordingStorage from TypeScript, through the SDK `pulumi package add ../../provider` generates
// (sdks/sendbird-recordings, added to package.json as @pulumi/sendbird-recordings).
import * as pulumi from "@pulumi/pulumi";
import * as sendbird from "@pulumi/sendbird-recordings";

const config = new pulumi.Config();

const recordings = new sendbird.RecordingStorage("recordings", {
    // Plain in the schema (string, not Input<string>): they decide which resources exist.
    appId: config.require("appId"),
    region: "ap-2",
    retention: { transitionDays: 30, transitionStorageClass: "STANDARD_IA", expirationDays: 400 },
    tags: { team: "media" },
    uploadRole: {
        sendbirdPrincipal: "111122223333",
        // A secret stays a secret, in the role's trust policy too.
        externalId: config.requireSecret("externalId"),
    },
    copyKeyRotationDays: 90,
});

export const bucketName = recordings.bucketName;
export const region = recordings.region;
export const copyAccessKeyId = recordings.copyAccessKeyId;
export const copySecretAccessKey = recordings.copySecretAccessKey; // a secret output
export const uploadRoleArn = recordings.uploadRoleArn;
