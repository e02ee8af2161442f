# Seed 004's Lambda function, as published: it creates an IAM Identity Center
# user from the profile an Okta Workflows flow sends when a user is assigned to
# the AWS app.
#
# Source: seed 004 (../shared/seeds/004_8145d8c6183a6045.txt beside the
# repository, see DESIGN.md), the Classmethod DevelopersIO post "OktaからIAM Identity CenterにIDを自動でプロビ
# ジョニングしてみた - Workflows編" by 新屋 (Classmethod ゲーソル・ギョーソル
# Advent Calendar 2024, day 21). The seed's copy lost its indentation; it is
# restored here and nothing else is changed: the code below is the post's,
# statement for statement, so that the sandbox is tested against what people
# actually run. Only this comment is ours.
import boto3
import uuid
import os
import json


def lambda_handler(event, context):
    identitystore = boto3.client('identitystore')
    instance_id = os.environ.get('IDENTITY_CENTER_INSTANCE_ID')

    if not instance_id:
        return {
            'statusCode': 400,
            'body': 'Error: IDENTITY_CENTER_INSTANCE_ID environment variable is not set.'
        }

    try:
        user_data = event
        if not user_data:
            return {
                'statusCode': 400,
                'body': 'Error: Request payload is empty.'
            }
    except Exception as e:
        return {
            'statusCode': 400,
            'body': f'Error: Invalid payload format: {e}'
        }

    if not all(key in user_data for key in ['UserName', 'DisplayName', 'GivenName', 'FamilyName', 'Emails']):
        return {
            'statusCode': 400,
            'body': 'Error: Missing required user information in request payload.'
        }

    try:
        response = identitystore.create_user(
            IdentityStoreId=instance_id,
            UserName=user_data['UserName'],
            DisplayName=user_data['DisplayName'],
            Name={
                'GivenName': user_data['GivenName'],
                'FamilyName': user_data['FamilyName']
            },
            Emails=user_data['Emails']
        )
        print(f"User created successfully: {response}")
        user_id = response['UserId']
        print(f"Created user ID: {user_id}")

        user_info = identitystore.describe_user(
            IdentityStoreId=instance_id,
            UserId=user_id
        )
        print(f"User info: {user_info}")

        return {
            'statusCode': 200,
            'body': f'User created successfully. User ID: {user_id}'
        }
    except Exception as e:
        print(f"Error creating user: {e}")
        return {
            'statusCode': 500,
            'body': f'Error creating user: {e}'
        }
