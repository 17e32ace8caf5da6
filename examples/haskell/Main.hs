{-# LANGUAGE DeriveGeneric #-}
{-# LANGUAGE OverloadedStrings #-}

-- | A Lambda function with the hal runtime: it greets whoever the event names.
--
--   {"name": "Ada"}  ->  {"greeting": "Hello, Ada!", "characters": 3}
--
-- hal runs the Runtime API loop (GET .../invocation/next, POST .../response or .../error);
-- an event it cannot decode is reported to Lambda as an invocation error.
module Main (main) where

import AWS.Lambda.Runtime (pureRuntime)
import Data.Aeson (FromJSON, ToJSON)
import Data.Text (Text)
import qualified Data.Text as T
import qualified Data.Text.IO as TIO
import GHC.Generics (Generic)
import System.IO (BufferMode (LineBuffering), hSetBuffering, stdout)

newtype Greet = Greet {name :: Text}
  deriving (Generic, Show)

instance FromJSON Greet

data Greeting = Greeting
  { greeting :: Text,
    characters :: Int
  }
  deriving (Generic, Show)

instance ToJSON Greeting

handler :: Greet -> Greeting
handler (Greet n) =
  Greeting
    { greeting = "Hello, " <> n <> "!",
      characters = T.length n -- characters, not bytes: "Zoë" is 3
    }

main :: IO ()
main = do
  hSetBuffering stdout LineBuffering
  -- GHC encodes text for the locale that LANG names (Lambda sets en_US.UTF-8). A Nix-built glibc
  -- finds no locale data on Lambda unless LOCALE_ARCHIVE points at one, and then falls back to
  -- ASCII: this line would kill the runtime with "commitBuffer: invalid argument (invalid
  -- character)". The flake bundles an en_US.UTF-8 locale archive for that (see README.md).
  TIO.putStrLn "hello-lambda: ready → waiting for events"
  pureRuntime handler
